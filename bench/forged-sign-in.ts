/**
 * Issue 18, finding 1: 40 forged sign-ins at once (made-up memberHash, from one address) against a
 * real sign-in from elsewhere and 20 pushes. Measures the real sign-in's time and the 20 pushes'
 * time to `synced`, without and with the flood, and the CW calls the flood cost. CW 50 ms, QBO 100 ms.
 *
 *   npx tsx bench/forged-sign-in.ts
 */
import { randomBytes } from 'node:crypto';
import { invoices } from '../test/support/sim-world.js';
import { startBenchWorld } from './support/bench-world.js';
import { header } from './support/machine.js';

const w = await startBenchWorld('qbo');
await w.sims.latency({ cw: 50, qbo: 100 });
const cw = w.sims.url.cw;
const auth = async () =>
  (await (
    await fetch(`${cw}/__sim/member-auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberIdentifier: 'afinch' }),
    })
  ).json()) as Record<string, string>;
const signIn = async (body: unknown, source?: string) => {
  const res = await fetch(`${w.pod.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(source ? { 'x-forwarded-for': source } : {}) },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
};
const traffic = async () => ((await (await fetch(`${cw}/__sim/traffic`)).json()) as { total: number }).total;

async function run(label: string, firstId: number, flood: boolean) {
  const built = invoices(20, firstId, `FSI${firstId}-`);
  await w.sims.seedInvoices(built);
  const ids = built.map((b) => b.invoice.id);
  const forged = await Promise.all(
    Array.from({ length: 40 }, async () => ({
      ...(await auth()),
      memberHash: randomBytes(24).toString('base64url'),
    })),
  );
  const real = await auth();
  const callsBefore = await traffic();
  const floodDone = flood ? Promise.all(forged.map((f) => signIn(f, '203.0.113.7'))) : Promise.resolve([]);
  const pushStart = performance.now();
  const pushed = w.push(ids).then(() => w.waitFor(ids, ['synced'], 300_000));
  const signInStart = performance.now();
  const realStatus = await signIn(real);
  const signInMs = performance.now() - signInStart;
  const statuses = await floodDone;
  const floodCalls = (await traffic()) - callsBefore;
  const counts = await pushed;
  const pushMs = performance.now() - pushStart;
  return { label, realStatus, signInMs, pushMs, counts, statuses, floodCalls };
}

const quiet = await run('no flood', 91_000, false);
const flooded = await run('40 forged sign-ins', 92_000, true);
console.log(header('forged-sign-in', { cwLatencyMs: 50, qboLatencyMs: 100 }));
for (const r of [quiet, flooded]) {
  const refused = r.statuses.filter((s) => s === 429).length;
  const unverified = r.statuses.filter((s) => s === 401).length;
  console.log(
    `${r.label.padEnd(20)} real sign-in ${r.realStatus} in ${r.signInMs.toFixed(0)} ms; 20 pushes synced in ${(r.pushMs / 1000).toFixed(2)} s ${JSON.stringify(r.counts)}; flood: ${unverified} x 401 (one CW call each), ${refused} x 429 (none)`,
  );
}
console.log(`pushes with flood / without: ${(flooded.pushMs / quiet.pushMs).toFixed(2)}x`);
await w.close();
process.exit(0);
