import { processOutput } from './lib/cli.js';
import { runManifestInstall } from './lib/manifest-install-command.js';

process.exitCode = await runManifestInstall(process.argv.slice(2), process.env, processOutput);
