/**
 * Issue 18, finding 1: 40 forged sign-ins at once (made-up memberHash) against a real sign-in and
 * 20 pushes, the forged ones from one address or from 40 (the tenant-wide unproven pool is what
 * those spend). The real member signs in from a network where a member signed in before (the usual
 * case: the office, home), and in the last run from one never seen. Measures the real sign-in's
 * time, the 20 pushes' time to `synced` without and with each flood, and the CW calls the flood
 * cost, counted at the simulator (cookie checks and member look-ups, less the real sign-in's own).
 * CW 50 ms, QBO 100 ms.
 *
 *   npx tsx bench/forged-sign-in.ts
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
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
const signIn = async (body: unknown, source: string) => {
  const res = await fetch(`${w.pod.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': source },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
};
const byRoute = async () =>
  ((await (await fetch(`${cw}/__sim/traffic`)).json()) as { byRoute: Record<string, number> }).byRoute;
const callsTo = (routes: Record<string, number>, pattern: RegExp) =>
  Object.entries(routes)
    .filter(([route]) => pattern.test(route))
    .reduce((n, [, c]) => n + c, 0);
const cookieCheck = /myMembers\/info$/i;
const memberLookUp = /^GET \/.*\/system\/members$/i;

const office = '198.51.100.9';
// Yesterday: a member signed in from the office, so its network is known.
if ((await signIn(await auth(), office)) !== 200) throw new Error('warm-up sign-in failed');
// And 20 pushes ran, so the first measured run does not pay for the push path's first use.
{
  const warm = invoices(20, 90_000, 'FSI90000-');
  await w.sims.seedInvoices(warm);
  const ids = warm.map((b) => b.invoice.id);
  await w.push(ids);
  await w.waitFor(ids, ['synced'], 300_000);
}

interface Run {
  label: string;
  /** Where the forged sign-ins come from; none: no flood. */
  floodFrom: string[];
  memberFrom: string;
}

async function run({ label, floodFrom, memberFrom }: Run, firstId: number) {
  // Each flood starts on full unproven budgets, as it would after a quiet minute.
  await sql`delete from call_rates where key like 'unauth:%'`.execute(w.database.db);
  const built = invoices(20, firstId, `FSI${firstId}-`);
  await w.sims.seedInvoices(built);
  const ids = built.map((b) => b.invoice.id);
  const forged = await Promise.all(
    floodFrom.map(async () => ({ ...(await auth()), memberHash: randomBytes(24).toString('base64url') })),
  );
  const real = await auth();
  const before = await byRoute();
  let firstRefusal!: () => void;
  const refused = new Promise<void>((resolve) => {
    firstRefusal = resolve;
  });
  const floodDone = Promise.all(
    forged.map((f, i) =>
      signIn(f, floodFrom[i]!).then((status) => {
        if (status === 429) firstRefusal();
        return status;
      }),
    ),
  );
  const pushStart = performance.now();
  const pushed = w.push(ids).then(() => w.waitFor(ids, ['synced'], 300_000));
  // The member comes in once the flood has spent what it can (its first refusal), or after it.
  if (floodFrom.length) await Promise.race([refused, floodDone]);
  const signInStart = performance.now();
  const realStatus = await signIn(real, memberFrom);
  const signInMs = performance.now() - signInStart;
  const statuses = await floodDone;
  const after = await byRoute();
  const counts = await pushed;
  const pushMs = performance.now() - pushStart;
  const diff = (pattern: RegExp) => callsTo(after, pattern) - callsTo(before, pattern);
  // Only sign-ins check member cookies, and a real one that got in made one check (one refused,
  // none): the rest are the flood's. Member look-ups are the real sign-in's one and the per-minute
  // role re-check of signed-in members (auth/member-recheck.ts), so they are shown as counted.
  const own = realStatus === 200 ? 1 : 0;
  const floodCalls = { cookieChecks: diff(cookieCheck) - own, memberLookUps: diff(memberLookUp), own };
  return { label, realStatus, signInMs, pushMs, counts, statuses, floodCalls };
}

const forty = (make: (i: number) => string) => Array.from({ length: 40 }, (_, i) => make(i));
const runs: Run[] = [
  { label: 'no flood', floodFrom: [], memberFrom: office },
  { label: '40 forged, 1 address', floodFrom: forty(() => '203.0.113.7'), memberFrom: office },
  { label: '40 forged, 40 addresses', floodFrom: forty((i) => `198.18.0.${i + 1}`), memberFrom: office },
  {
    label: '40 forged, 40 /64s of one /48',
    floodFrom: forty((i) => `2001:db8:ffff:${(i + 1).toString(16)}::1`),
    memberFrom: office,
  },
  {
    label: '40 addresses; member on a new network',
    floodFrom: forty((i) => `198.18.1.${i + 1}`),
    memberFrom: '192.0.2.200',
  },
  // The first run again: how much the pushes' time varies with no flood at all.
  { label: 'no flood (again)', floodFrom: [], memberFrom: office },
];
const results = [];
for (const [i, r] of runs.entries()) results.push(await run(r, 91_000 + i * 1_000));

console.log(header('forged-sign-in', { cwLatencyMs: 50, qboLatencyMs: 100 }));
const quiet = results[0]!;
for (const r of results) {
  const refusedCount = r.statuses.filter((s) => s === 429).length;
  const unverified = r.statuses.filter((s) => s === 401).length;
  console.log(
    `${r.label.padEnd(38)} real sign-in ${r.realStatus} in ${r.signInMs.toFixed(0)} ms; 20 pushes synced in ${(r.pushMs / 1000).toFixed(2)} s ${JSON.stringify(r.counts)} (${(r.pushMs / quiet.pushMs).toFixed(2)}x); flood: ${unverified} x 401, ${refusedCount} x 429; at the CW simulator: ${r.floodCalls.cookieChecks} cookie checks by the flood, ${r.floodCalls.memberLookUps} member look-ups in all (${r.floodCalls.own} the real sign-in's)`,
  );
}
await w.close();
process.exit(0);
