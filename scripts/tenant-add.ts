import { processOutput } from './lib/cli.js';
import { runTenantAdd } from './lib/tenant-add-command.js';

process.exitCode = await runTenantAdd(process.argv.slice(2), process.env, processOutput);
