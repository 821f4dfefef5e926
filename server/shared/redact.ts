/**
 * The one redaction layer: every log line (pino's streamWrite hook) and every error a job stores
 * (pg-boss writes a failed job's error into `pgboss.job.output`) pass through here.
 *
 * Why text as well as fields: the SDKs' errors carry their whole request and response (intuit-oauth
 * wraps the axios response: the token request's form body with the refresh token or the
 * authorisation code, and the `Authorization: Basic base64(client id:client secret)` header), and
 * they do it under names and nesting no path list foresees. So structured values are censored by
 * key, and whatever text remains is scrubbed for the shapes secrets travel in: form and query
 * parameters, Basic/Bearer credentials, JSON fields, and JWTs (our OAuth states and session tokens).
 */

const censor = '[redacted]';

/** Field names whose value is a secret wherever they appear (compared lower-case, without - and _). */
const secretKeys = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'bearertoken',
  'clientsecret',
  'clientassertion',
  'secret',
  'password',
  'privatekey',
  'publickey',
  'apikey',
  'memberhash',
  'membercontext',
  'xcontentsignature',
  'intuitsignature',
  'xxerosignature',
  'verifier',
  'webhookkey',
  'sessionkey',
  'secretkey',
]);

const normaliseKey = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** OAuth parameters that are secrets in a form body or query string, but not as ordinary field names. */
const secretParams = [
  'code',
  'state',
  'refresh_token',
  'access_token',
  'id_token',
  'token',
  'client_secret',
  'client_assertion',
  'memberHash',
  'password',
];

const jsonKeys =
  'authorization|proxy-authorization|cookie|set-cookie|access_?token|refresh_?token|id_?token|token|client_?secret|client_?assertion|password|private_?key|memberHash|memberContext|x-content-signature|intuit-signature|x-xero-signature';

const scrubbers: [RegExp, string][] = [
  // A JSON field, also inside JSON embedded in JSON strings (its quotes escaped once or more): the
  // value ends at the first quote escaped as often as the key's.
  [
    new RegExp(`(?<!\\\\)(\\\\*)"(${jsonKeys})\\1"(\\s*):(\\s*)\\1"[\\s\\S]*?(?<!\\\\)\\1"`, 'gi'),
    `$1"$2$1"$3:$4$1"${censor}$1"`,
  ],
  // HTTP credentials: the Basic header is base64(client id:client secret).
  [/\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=-]{6,}/gi, `$1$2${censor}`],
  // Form bodies and query strings.
  [new RegExp(`([?&;\\s"'(]|^)(${secretParams.join('|')})=[^&\\s"'\\\\)]+`, 'gi'), `$1$2=${censor}`],
  // Cookie strings written out as text (`Cookie: lp_oauth_…=…; other=…`): every value after the
  // header name, and Ledgerpod's own cookies wherever they appear.
  [/\b((?:set-)?cookie:\s*)[^\r\n]+/gi, `$1${censor}`],
  [/\b(lp_[a-z0-9_]+)=[^;&\s"'\\)]+/gi, `$1=${censor}`],
  // JWTs: OAuth state, session tokens, id tokens, signed assertions.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, censor],
];

/** Text with every secret-shaped part replaced. Pure. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of scrubbers) out = out.replace(pattern, replacement);
  return out;
}

const maxDepth = 6;
const maxKeys = 50;

/**
 * A plain, JSON-safe copy of any value with secret fields censored and every string scrubbed.
 * Errors keep their name, message, stack, code, status and cause; sockets, agents and other
 * non-plain objects (the SDKs' request objects) are reduced to their class name. Pure.
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[nested]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.slice(0, maxKeys).map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubText(value.message);
    if (value.stack) out.stack = scrubText(value.stack);
    if (value.cause !== undefined) out.cause = redactValue(value.cause, depth + 1, seen);
  } else if (!isPlain(value)) {
    return `[${value.constructor?.name ?? 'object'}]`;
  }
  for (const key of Object.keys(value).slice(0, maxKeys)) {
    if (key in out) continue;
    const field = (value as Record<string, unknown>)[key];
    out[key] = secretKeys.has(normaliseKey(key))
      ? censor
      : isOAuthCode(key, value)
        ? censor
        : redactValue(field, depth + 1, seen);
  }
  return out;
}

/** Axios responses and configs are plain enough to walk; sockets, agents and streams are not. */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  const name = proto.constructor?.name ?? '';
  return ['AxiosHeaders', 'AuthResponse', 'Token', 'Headers'].includes(name);
}

/** `code` is an error code almost everywhere; beside a grant type or redirect it is an OAuth code. */
const isOAuthCode = (key: string, holder: object) =>
  key === 'code' && ('grant_type' in holder || 'redirect_uri' in holder || 'realmId' in holder);

/**
 * What a failed job hands pg-boss to store: an Error with a scrubbed message and only safe fields,
 * so the SDK's request and response never reach `pgboss.job.output`.
 */
export function storableError(error: unknown): Error {
  const safe = redactValue(error) as Record<string, unknown> | string;
  if (typeof safe !== 'object' || safe === null) return new Error(String(safe));
  const stored = new Error(String(safe.message ?? 'job failed'));
  stored.name = String(safe.type ?? 'Error');
  stored.stack = typeof safe.stack === 'string' ? safe.stack : undefined;
  for (const key of ['code', 'providerCode', 'status', 'retryable']) {
    if (safe[key] !== undefined) (stored as unknown as Record<string, unknown>)[key] = safe[key];
  }
  return stored;
}
