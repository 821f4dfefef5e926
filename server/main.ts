import type { RunningSim } from '../sim/kit/listen.js';
import { type Ledgerpod, startLedgerpod } from './app/server.js';
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

// Registered before anything starts, so a signal at any point of the start-up stops cleanly: what
// has started is stopped once it is up (a signal mid start-up waits for that part to finish).
let stopping = false;
let sims: { close(): Promise<void> } | undefined;
let podStarting: Promise<Ledgerpod> | undefined;
let shell: RunningSim | undefined;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  try {
    const pod = await podStarting?.catch(() => undefined);
    await pod?.stop();
    await shell?.close();
    await sims?.close();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  // The demo's outside world (simulated ConnectWise, QuickBooks Online, Xero) starts first, so the
  // product can be configured to talk to it exactly as it would to the real services.
  const demo = config.demo ? await import('./demo/demo.js') : undefined;
  const demoSims = demo ? await demo.startDemoSims() : undefined;
  sims = demoSims;
  if (demo && demoSims) {
    const overlaid = loadConfig({ ...demo.demoEnvironment(demoSims), ...process.env });
    if (!overlaid.ok) throw new Error(overlaid.errors.join('; '));
    config = overlaid.config;
  }
  let demoState: { tenant: Tenant; sims: NonNullable<typeof demoSims>; shell: RunningSim } | undefined;
  podStarting = startLedgerpod(config, {
    logger,
    processMetrics: true,
    routers: demo ? () => [demo.demoRoutes(() => demoState)] : undefined,
    beforeWorkers: demo ? (db) => demo.removeDemoTenant(db) : undefined,
  });
  const pod = await podStarting;
  logger.info(
    { role: config.role, url: pod.url, demo: config.demo, embeddedDb: pod.database.embedded },
    'ledgerpod started',
  );
  // The demo prints its one URL to open once its simulated ConnectWise is up; anything printed
  // before it would be the first URL a newcomer sees.
  if (pod.url && !demo) process.stdout.write(`Ledgerpod listening on ${config.publicUrl ?? pod.url}\n`);

  if (demo && demoSims && !stopping) {
    try {
      const tenant = await demo.installDemoTenant(pod, demoSims);
      shell = await demo.startDemoShell(pod, demoSims, tenant);
      demoState = { tenant, sims: demoSims, shell };
      process.stdout.write(
        `\nLedgerpod demo is running. Open the simulated ConnectWise: ${shell.url.replace('127.0.0.1', 'localhost')}/invoices\n` +
          `(Ledgerpod itself: ${config.publicUrl}; what is where: ${config.publicUrl}/demo.json)\n\n`,
      );
      void demo.runDemoOpening(pod, demoSims, tenant, logger).catch((error) => {
        if (!stopping) logger.warn({ err: error }, 'demo opening moves failed');
      });
    } catch (error) {
      // A signal during the demo's set-up closes what it was using; that is no failure.
      if (!stopping) throw error;
    }
  } else if (pod.url && !demo) {
    process.stdout.write(`\nLedgerpod is running: ${config.publicUrl ?? pod.url}\n\n`);
  }
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
