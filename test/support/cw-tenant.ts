import type { Seed } from '../../sim/connectwise/index.js';
import { startConnectWiseSim, testApiMember, testClientId } from '../../sim/connectwise/index.js';
import type { TestPod } from './test-pod.js';

export const members = {
  admin: {
    id: 178,
    identifier: 'jdoe',
    firstName: 'Jane',
    lastName: 'Doe',
    primaryEmail: 'jane@example.com',
    securityRole: { id: 63, name: 'Admin' },
  },
  accountant: {
    id: 179,
    identifier: 'afinch',
    firstName: 'Amy',
    lastName: 'Finch',
    primaryEmail: 'amy@example.com',
    securityRole: { id: 64, name: 'Finance' },
  },
  viewer: {
    id: 180,
    identifier: 'ttech',
    firstName: 'Tom',
    lastName: 'Tech',
    primaryEmail: 'tom@example.com',
    securityRole: { id: 65, name: 'Technician' },
  },
} as const;

export type CwSim = Awaited<ReturnType<typeof startConnectWiseSim>>;

/** A ConnectWise simulator seeded with an API member and the three kinds of member. */
export async function startSeededConnectWise(seed: Partial<Seed> = {}): Promise<CwSim> {
  const sim = await startConnectWiseSim({ companyId: testApiMember.companyId });
  await post(sim.url, '/__sim/seed', {
    apiMembers: [testApiMember],
    companies: [{ id: 250, identifier: 'AcmeCorp', name: 'Acme Corporation' }],
    members: Object.values(members),
    ...seed,
  });
  return sim;
}

/** The tenant a ConnectWise simulator's company stands for, as the product stores it. */
export const simTenantInput = (cwUrl: string, name = 'Ledgerpod MSP') => ({
  name,
  site: new URL(cwUrl).host,
  companyId: testApiMember.companyId,
  publicKey: testApiMember.publicKey,
  privateKey: testApiMember.privateKey,
  clientId: testClientId,
  apiUrl: cwUrl,
});

/** Adds the tenant that the simulator's company stands for. */
export async function addSimTenant(pod: TestPod, sim: CwSim, name = 'Ledgerpod MSP') {
  return pod.services.tenants.create(simTenantInput(sim.url, name));
}

/** What ConnectWise would hand the pod for this member. */
export async function memberAuthentication(sim: CwSim, identifier: string): Promise<Record<string, string>> {
  return post(sim.url, '/__sim/member-auth', { memberIdentifier: identifier }) as Promise<
    Record<string, string>
  >;
}

export async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Signs a member in through the product's own route and returns the session token. */
export async function sessionToken(podUrl: string, sim: CwSim, role: keyof typeof members): Promise<string> {
  const auth = await memberAuthentication(sim, members[role].identifier);
  const body = (await post(podUrl, '/api/v1/session', auth)) as { token: string };
  return body.token;
}

/** JSON over HTTP with a session token; answers status and body. */
export async function api(
  podUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${podUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
