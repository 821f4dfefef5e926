import type { RunningSim } from '../sim/kit/listen.js';
import { startLedgerpod } from './app/server.js';
import type { Tenant } from './db/schema.js';
import { loadConfig } from './shared/config.js';
import { createLogger } from './shared/log.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const line of loaded.errors) process.stderr.write(`config error: ${line}\n`);
  process.exit(1);
}
let config = loaded.config;
const logger = createLogger(config.logLevel);

try {
  // The demo's outside world (simulated ConnectWise, QuickBooks Online, Xero) starts first, so the
  // product can be configured to talk to it exactly as it would to the real services.
  const demo = config.demo ? await import('./demo/demo.js') : undefined;
  const sims = demo ? await demo.startDemoSims() : undefined;
  if (demo && sims) {
    const overlaid = loadConfig({ ...demo.demoEnvironment(sims), ...process.env });
    if (!overlaid.ok) throw new Error(overlaid.errors.join('; '));
    config = overlaid.config;
  }
  let demoState: { tenant: Tenant; sims: NonNullable<typeof sims>; shell: RunningSim } | undefined;
  const pod = await startLedgerpod(config, {
    logger,
    processMetrics: true,
    routers: demo ? () => [demo.demoRoutes(() => demoState)] : undefined,
  });
  logger.info(
    { role: config.role, url: pod.url, demo: config.demo, embeddedDb: pod.database.embedded },
    'ledgerpod started',
  );
  // The demo prints its one URL to open once its simulated ConnectWise is up; anything printed
  // before it would be the first URL a newcomer sees.
  if (pod.url && !demo) process.stdout.write(`Ledgerpod listening on ${config.publicUrl ?? pod.url}\n`);

  // Registered before the demo's set-up, so a signal during it still stops cleanly.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await pod.stop();
      await demoState?.shell.close();
      await sims?.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (demo && sims) {
    try {
      const tenant = await demo.installDemoTenant(pod, sims);
      const shell = await demo.startDemoShell(pod, sims, tenant);
      demoState = { tenant, sims, shell };
      process.stdout.write(
        `\nLedgerpod demo is running. Open the simulated ConnectWise: ${shell.url.replace('127.0.0.1', 'localhost')}/invoices\n` +
          `(Ledgerpod itself: ${config.publicUrl}; what is where: ${config.publicUrl}/demo.json)\n\n`,
      );
      void demo.runDemoOpening(pod, sims, tenant, logger).catch((error) => {
        if (!stopping) logger.warn({ err: error }, 'demo opening moves failed');
      });
    } catch (error) {
      // A signal during the demo's set-up closes what it was using; that is no failure.
      if (!stopping) throw error;
    }
  } else if (pod.url) {
    process.stdout.write(`\nLedgerpod is running: ${config.publicUrl ?? pod.url}\n\n`);
  }
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
