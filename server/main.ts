import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startLedgerpod } from './server.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const line of loaded.errors) process.stderr.write(`config error: ${line}\n`);
  process.exit(1);
}
const config = loaded.config;
const logger = createLogger(config.logLevel);

try {
  const pod = await startLedgerpod(config, { logger });
  logger.info(
    { role: config.role, url: pod.url, demo: config.demo, embeddedDb: pod.database.embedded },
    'ledgerpod started',
  );
  if (pod.url)
    process.stdout.write(
      `\nLedgerpod is running: ${config.publicUrl ?? pod.url.replace('127.0.0.1', 'localhost')}\n\n`,
    );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await pod.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
