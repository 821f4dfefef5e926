import { processOutput } from './lib/cli.js';
import { runSecretsRotate } from './lib/secrets-rotate-command.js';

process.exitCode = await runSecretsRotate(process.argv.slice(2), process.env, processOutput);
