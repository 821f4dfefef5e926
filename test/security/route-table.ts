/**
 * Every route the product answers, with the least role it needs and a minimal valid request.
 * `route-table.test` fails when a router gains a route missing here, so a new route is never
 * forgotten by the security and fuzz suites.
 */
/** `operator`: the operator API, Bearer OPERATOR_TOKEN (not a member's session). */
export type Access = 'public' | 'viewer' | 'accountant' | 'admin' | 'operator';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path as the router declares it. */
  path: string;
  access: Access;
  /** A concrete path and body naming ids, given tenant B's ids (for cross-tenant calls). */
  example(ids: ExampleIds): { path: string; body?: unknown };
  /** Whether the route's answer is a page, not JSON (OAuth popup, the pod itself, metrics). */
  nonJson?: boolean;
}

export interface ExampleIds {
  tenantId: string;
  connectionId: string;
  recordCwId: number;
  onboardingRunId: string;
  companyId: number;
}

const r = (
  method: RouteSpec['method'],
  path: string,
  access: Access,
  example: RouteSpec['example'] = () => ({ path }),
  nonJson = false,
): RouteSpec => ({ method, path, access, example, nonJson });

export const routeTable: RouteSpec[] = [
  r('GET', '/healthz', 'public'),
  r('GET', '/readyz', 'public'),
  r('GET', '/metrics', 'public', undefined, true),
  r('POST', '/api/v1/session', 'public', () => ({ path: '/api/v1/session', body: {} })),
  r('GET', '/api/v1/me', 'viewer'),
  r('POST', '/api/v1/operator/tenants', 'operator', () => ({ path: '/api/v1/operator/tenants', body: {} })),
  r('GET', '/api/v1/operator/tenants', 'operator'),
  r('GET', '/pod', 'public', undefined, true),
  r('GET', '/pod/', 'public', undefined, true),
  r('POST', '/webhooks/connectwise/:tenantId', 'public', (ids) => ({
    path: `/webhooks/connectwise/${ids.tenantId}`,
    body: {},
  })),
  r('POST', '/api/v1/connections/:kind/authorize', 'admin', () => ({
    path: '/api/v1/connections/qbo/authorize',
  })),
  r('GET', '/api/v1/connections', 'admin'),
  r('GET', '/api/v1/admin/health', 'admin'),
  r('POST', '/api/v1/admin/health/callback-check', 'admin'),
  r('PUT', '/api/v1/connections/:id/routing', 'admin', (ids) => ({
    path: `/api/v1/connections/${ids.connectionId}/routing`,
    body: { cwLocationIds: [1], isDefault: true },
  })),
  r('DELETE', '/api/v1/connections/:id', 'admin', (ids) => ({
    path: `/api/v1/connections/${ids.connectionId}`,
  })),
  r('GET', '/oauth/:kind/callback', 'public', () => ({ path: '/oauth/qbo/callback' }), true),
  r('GET', '/oauth/:kind/start', 'public', () => ({ path: '/oauth/qbo/start' }), true),
  r('POST', '/oauth/:kind/begin', 'public', () => ({ path: '/oauth/qbo/begin', body: {} })),
  r('GET', '/api/v1/mappings', 'admin', (ids) => ({
    path: `/api/v1/mappings?connectionId=${ids.connectionId}`,
  })),
  r('GET', '/api/v1/mappings/options', 'admin', (ids) => ({
    path: `/api/v1/mappings/options?connectionId=${ids.connectionId}&kind=gl_account`,
  })),
  r('PUT', '/api/v1/mappings', 'admin', (ids) => ({
    path: '/api/v1/mappings',
    body: { connectionId: ids.connectionId, kind: 'gl_account', cwKey: '4000', ledgerKey: '1' },
  })),
  r('GET', '/api/v1/settings', 'accountant'),
  r('GET', '/api/v1/settings/security-roles', 'admin'),
  r('GET', '/api/v1/settings/locations', 'admin'),
  r('PUT', '/api/v1/settings', 'admin', () => ({
    path: '/api/v1/settings',
    body: { batchPrefix: 'ATTACK-' },
  })),
  r('POST', '/webhooks/qbo', 'public', () => ({ path: '/webhooks/qbo', body: [] })),
  // Xero's intent to receive wants an empty body on 200 and 401: not the JSON envelope.
  r('POST', '/webhooks/xero', 'public', () => ({ path: '/webhooks/xero', body: { events: [] } }), true),
  r('POST', '/api/v1/payments/sync', 'accountant', () => ({ path: '/api/v1/payments/sync', body: {} })),
  r('GET', '/api/v1/companies/:cwId/summary', 'viewer', (ids) => ({
    path: `/api/v1/companies/${ids.companyId}/summary`,
  })),
  r('GET', '/api/v1/stats/daily', 'accountant'),
  r('GET', '/api/v1/stats/queues', 'accountant'),
  r('GET', '/api/v1/close', 'accountant', () => ({ path: '/api/v1/close?from=2024-05-01&to=2024-05-31' })),
  r(
    'GET',
    '/api/v1/close/evidence.csv',
    'accountant',
    () => ({ path: '/api/v1/close/evidence.csv?from=2024-05-01&to=2024-05-31' }),
    true,
  ),
  r(
    'GET',
    '/api/v1/close/evidence.html',
    'accountant',
    () => ({ path: '/api/v1/close/evidence.html?from=2024-05-01&to=2024-05-31' }),
    true,
  ),
  r('POST', '/api/v1/onboarding', 'admin', () => ({
    path: '/api/v1/onboarding',
    body: { batchPrefix: 'X-', cutoffDate: '2020-01-01', recordTypes: ['invoice'], dryRun: true },
  })),
  r('GET', '/api/v1/onboarding', 'admin', () => ({ path: '/api/v1/onboarding' })),
  r('GET', '/api/v1/onboarding/:id', 'admin', (ids) => ({
    path: `/api/v1/onboarding/${ids.onboardingRunId}`,
  })),
  r('GET', '/api/v1/records/:type/:cwId', 'viewer', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}`,
  })),
  r('GET', '/api/v1/records', 'accountant'),
  r('POST', '/api/v1/records/:type/:cwId/sync', 'accountant', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/sync`,
  })),
  r('POST', '/api/v1/records/:type/:cwId/check', 'viewer', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/check`,
    body: {},
  })),
  r('POST', '/api/v1/records/sync', 'accountant', (ids) => ({
    path: '/api/v1/records/sync',
    body: { records: [{ type: 'invoice', cwId: ids.recordCwId }] },
  })),
  r('POST', '/api/v1/records/sync-all', 'accountant', () => ({ path: '/api/v1/records/sync-all' })),
  r('POST', '/api/v1/records/:type/:cwId/reverse', 'admin', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/reverse`,
  })),
  r('GET', '/api/v1/records/:type/:cwId/differences', 'viewer', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/differences`,
  })),
  r('POST', '/api/v1/records/:type/:cwId/differences/check', 'accountant', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/differences/check`,
    body: {},
  })),
  r('POST', '/api/v1/records/:type/:cwId/differences/fix', 'accountant', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/differences/fix`,
    body: { code: 'payment_missing_in_cw', ref: 'none' },
  })),
  r('GET', '/api/v1/records/:type/:cwId/correction', 'accountant', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/correction`,
  })),
  r('POST', '/api/v1/records/:type/:cwId/correction', 'accountant', (ids) => ({
    path: `/api/v1/records/invoice/${ids.recordCwId}/correction`,
    body: {},
  })),
  r('GET', '/api/v1/differences', 'accountant'),
  r('GET', '/api/v1/companies/:companyId/differences', 'accountant', (ids) => ({
    path: `/api/v1/companies/${ids.companyId}/differences`,
  })),
  r('GET', '/api/v1/events', 'viewer', (ids) => ({
    path: `/api/v1/events?record=invoice:${ids.recordCwId}`,
  })),
];

export const roleRank: Record<Access, number> = {
  public: -1,
  viewer: 0,
  accountant: 1,
  admin: 2,
  operator: 3,
};
