import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPodUi } from '../e2e/helpers/build-pod-bundles.js';
import { startTwoTenantWorld, type TwoTenantWorld, worldSecrets } from '../support/two-tenants.js';
import { type RouteSpec, routeTable } from './route-table.js';

/** fast-check seed: printed so a failure can be replayed with FUZZ_SEED=<seed>. */
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.FUZZ_RUNS ?? 60);

interface Answer {
  status: number;
  type: string;
  text: string;
}

const stackLike = /\n\s+at .+\(|node_modules\/|\.ts:\d+:\d+|Error: .*\n/;

/** The contract every answer keeps: no 5xx but 503 readiness, the envelope on errors, no stack. */
function checkAnswer(answer: Answer, route: Pick<RouteSpec, 'nonJson'> | undefined, request: unknown) {
  const where = `${JSON.stringify(request).slice(0, 600)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.text, where).not.toMatch(stackLike);
  if (answer.status >= 400 && !route?.nonJson) {
    expect(answer.type, where).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, where).toBe('string');
    expect(typeof body.error?.message, where).toBe('string');
  }
  // A page's only scripts are the product's own OAuth popup scripts (the callback's, the consent start page's).
  if (route?.nonJson)
    expect(answer.text, where).not.toMatch(/<script>(?!window\.opener|var opener=window\.opener)/);
}

const weirdText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e309',
    'NaN',
    '9007199254740993',
    '..',
    '../../etc/passwd',
    '%',
    '%00',
    '%ff',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '00000000-0000-4000-8000-000000000000',
    'invoice:1',
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
    'x'.repeat(5000),
  ),
);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    weirdText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(weirdText, fc.constantFrom('__proto__', 'constructor', 'records', 'cwId')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

/** encodeURIComponent refuses lone surrogates: those become U+FFFD first. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
};

/** Over express.json's 1 MB limit; a marker so counterexamples stay printable. */
const bigBody = 'BIG';
const expand = (body: string | undefined) =>
  body === bigBody ? JSON.stringify({ big: 'x'.repeat(1_100_000) }) : body;

/** A body: usually JSON (a mutation of the route's valid body or anything), sometimes broken bytes. */
const bodyFor = (valid: unknown) =>
  fc.oneof(
    fc.constant(undefined),
    jsonValue.map((v) => JSON.stringify(v)),
    fc
      .tuple(fc.constantFrom(...Object.keys((valid as object) ?? {}), 'x'), jsonValue)
      .map(([key, v]) => JSON.stringify({ ...(valid as object), [key]: v })),
    fc.constantFrom('{', '{"a":', '[1,2', 'null', '"str"', '{"a":1}{"b":2}', '\u0000', '{"a":"\\ud800"}'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constant(bigBody),
  );

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/merge-patch+json',
  'application/json; charset=UTF-8',
  'multipart/form-data; boundary=x',
  '',
);

const tokenChoice = fc.constantFrom(
  'none',
  'garbage',
  'viewer',
  'accountant',
  'admin',
  'otherTenantAdmin',
  'operator',
);

describe('fuzzing every public route: never a 500, always the envelope, never a stack', () => {
  let w: TwoTenantWorld;
  let podUiDir = '';
  beforeAll(async () => {
    console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}), ${runs} runs per route`);
    // The pod's own build, so /pod answers the same whether or not `npm run build` ran before.
    podUiDir = join(mkdtempSync(join(tmpdir(), 'ledgerpod-fuzz-')), 'pod-ui');
    const [world] = await Promise.all([
      startTwoTenantWorld({ env: { POD_UI_DIR: podUiDir } }),
      buildPodUi(podUiDir),
    ]);
    w = world;
  });
  afterAll(async () => {
    await w?.close();
    rmSync(dirname(podUiDir), { recursive: true, force: true });
  });

  const tokenOf = (choice: string) =>
    choice === 'none'
      ? undefined
      : choice === 'garbage'
        ? 'a.b.c'
        : choice === 'otherTenantAdmin'
          ? w.b.token.admin
          : choice === 'operator'
            ? worldSecrets.operatorToken
            : w.a.token[choice as 'viewer' | 'accountant' | 'admin'];

  async function send(
    method: string,
    path: string,
    options: { body?: string; type?: string; token?: string; headers?: Record<string, string> },
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.type) headers['content-type'] = options.type;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(`${w.pod.url}${path}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : expand(options.body),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  const ids = () => ({
    tenantId: w.a.tenant.id,
    connectionId: w.ofB.connection.id,
    recordCwId: 7777,
    onboardingRunId: w.ofB.onboardingRunId,
    companyId: 250,
  });

  /** Replaces each `:param` of the declared path with a valid value or something weird. */
  const pathFor = (route: RouteSpec) => {
    const valid = route.example(ids()).path.split('?')[0]!.split('/');
    const declared = route.path.split('/');
    return fc
      .tuple(
        ...declared.map((part, i) =>
          part.startsWith(':')
            ? fc.oneof(
                fc.constant(valid[i] ?? 'x'),
                weirdText.map((t) => encode(t)),
              )
            : fc.constant(part),
        ),
      )
      .map((parts) => parts.join('/'));
  };
  const query = fc.oneof(
    fc.constant(''),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            weirdText,
            fc.constantFrom(
              'limit',
              'cursor',
              'state',
              'q',
              'days',
              'since',
              'record',
              'connectionId',
              'type',
              'company',
            ),
          ),
          weirdText,
        ),
        {
          maxLength: 4,
        },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`),
    fc.constantFrom(
      '?limit=0',
      '?limit=abc',
      '?days=1e9',
      '?cursor=%ff',
      '?a[b][c]=1',
      '?limit=1&limit=2',
      '?q[]=x',
    ),
  );

  it.each(routeTable.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s',
    async (_name, route) => {
      const valid = route.example(ids()).body;
      await fc.assert(
        fc.asyncProperty(
          pathFor(route),
          query,
          bodyFor(valid),
          contentType,
          tokenChoice,
          async (path, q, body, type, token) => {
            const request = {
              method: route.method,
              path: `${path}${q}`,
              body: body?.slice(0, 300),
              type,
              token,
            };
            const answer = await send(route.method, `${path}${q}`, { body, type, token: tokenOf(token) });
            checkAnswer(answer, route, request);
          },
        ),
        { seed, numRuns: runs, endOnFailure: true },
      );
    },
    120_000,
  );

  it('random methods, paths and headers anywhere', async () => {
    const prefixes = fc.constantFrom(
      '/',
      '/api/v1/',
      '/api/v1/records/',
      '/webhooks/',
      '/oauth/',
      '/pod/',
      '/api/',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        prefixes,
        fc.array(
          weirdText.map((t) => encode(t)),
          { maxLength: 3 },
        ),
        query,
        bodyFor({}),
        contentType,
        tokenChoice,
        fc.dictionary(
          fc.constantFrom(
            'x-request-id',
            'accept',
            'accept-encoding',
            'x-forwarded-for',
            'x-forwarded-proto',
            'origin',
            'x-content-signature',
          ),
          fc.oneof(
            fc.string({ maxLength: 80 }).filter((s) => /^[\x21-\x7e ]*$/.test(s)),
            fc.constantFrom('gzip', 'deflate', 'br', 'identity', '*/*', 'text/html'),
          ),
          { maxKeys: 3 },
        ),
        async (method, prefix, segments, q, body, type, token, headers) => {
          const path = `${prefix}${segments.join('/')}${q}`;
          const request = { method, path, body: body?.slice(0, 300), type, token, headers };
          const answer = await send(method, path, { body, type, token: tokenOf(token), headers });
          const route =
            path.startsWith('/oauth/') ||
            path.startsWith('/pod') ||
            path.startsWith('/metrics') ||
            path.startsWith('/webhooks/xero')
              ? { nonJson: true }
              : undefined;
          if (method === 'HEAD') {
            expect(answer.status, JSON.stringify(request)).toBeLessThan(500);
            return;
          }
          checkAnswer(answer, route, request);
        },
      ),
      { seed, numRuns: runs * 8, endOnFailure: true },
    );
  });
});
