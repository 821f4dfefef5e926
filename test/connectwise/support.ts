import { type ConnectWiseConfig, createConnectWiseClient } from '../../server/connectwise/index.js';
import { type Seed, startConnectWiseSim, testApiMember, testClientId } from '../../sim/connectwise/index.js';

/** A simulator on a free port and a product client pointed at it. */
export async function startSimAndClient(seed?: Seed, clientOptions: Partial<ConnectWiseConfig> = {}) {
  const running = await startConnectWiseSim({ companyId: testApiMember.companyId });
  if (seed) running.sim.state.seed(seed);
  const client = createConnectWiseClient({
    site: `127.0.0.1:${running.port}`,
    companyId: testApiMember.companyId,
    publicKey: testApiMember.publicKey,
    privateKey: testApiMember.privateKey,
    clientId: testClientId,
    apiOrigin: running.url,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...clientOptions,
  });
  const api = `${running.url}/v4_6_release/apis/3.0`;
  const basic = Buffer.from(
    `${testApiMember.companyId}+${testApiMember.publicKey}:${testApiMember.privateKey}`,
  ).toString('base64');
  /** Raw calls with valid integration auth, for asserting on what CW itself answers. */
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${api}${path}`, {
      ...init,
      headers: {
        authorization: `Basic ${basic}`,
        clientId: testClientId,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  const control = (path: string, body?: unknown) =>
    fetch(`${running.url}/__sim${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  return { ...running, client, api, raw, control };
}

export type SimAndClient = Awaited<ReturnType<typeof startSimAndClient>>;
