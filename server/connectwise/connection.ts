import { z } from 'zod';
import type { CallGate } from '../outbound/call-gate.js';
import { ConnectWiseError } from './errors.js';
import type { RetryPolicy } from './retry.js';
import { type CompanyInfo, companyInfoSchema } from './schemas.js';
import { apiOriginForSite } from './site.js';
import { type CallSpec, createTransport } from './transport.js';

export interface ConnectWiseConfig {
  /** The CW site members sign in to, e.g. `na.myconnectwise.net` or `cw.example.com`. */
  site: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
  /** The integration's clientId GUID from developer.connectwise.com; CW refuses calls without it. */
  clientId: string;
  /** Overrides where the API lives (the simulator: `http://127.0.0.1:PORT`). */
  apiOrigin?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** Shared call limits for this tenant's CW calls (see TransportOptions.gate). */
  gate?: CallGate;
  /** Records per list page: CW's maximum, 1,000, unless a test wants many pages of few records. */
  pageSize?: number;
}

/** The API version the schemas were written against. */
export const acceptHeader = 'application/vnd.connectwise.com+json; version=2025.1';

export interface RequestSpec<T> extends Omit<CallSpec<T>, 'url' | 'headers'> {
  path: string;
  /** Cookie auth for member checks: no Authorization header at all. */
  cookie?: string;
  /** Headers beyond auth and content type (a list's `pagination-type`). */
  extraHeaders?: Record<string, string>;
}

export interface PageOptions {
  /** A person is waiting on the list (CallSpec.interactive). */
  interactive?: boolean;
  /** Told when the first page's request leaves (CallSpec.onSent). */
  onSent?: () => void;
  conditions?: string;
  orderBy?: string;
  fields?: string;
  pageSize?: number;
}

/**
 * Base URL discovery, auth headers and paging over one transport. The codebase (`v4_6_release/`,
 * `v2025_1/`, ...) comes from /login/companyinfo and is cached; a 404 triggers one re-discovery, since
 * an upgrade moves the codebase under a running integration.
 */
export function createConnection(config: ConnectWiseConfig) {
  const transport = createTransport(config);
  const apiOrigin = (config.apiOrigin ?? apiOriginForSite(config.site)).replace(/\/+$/, '');
  const basic = Buffer.from(`${config.companyId}+${config.publicKey}:${config.privateKey}`).toString(
    'base64',
  );
  let info: Promise<CompanyInfo> | undefined;

  const companyInfo = (): Promise<CompanyInfo> => {
    info ??= transport
      .call({
        method: 'GET',
        url: `${apiOrigin}/login/companyinfo/${encodeURIComponent(config.companyId)}`,
        headers: { Accept: 'application/json' },
        schema: companyInfoSchema,
        idempotent: true,
      })
      .then((r) => r.data)
      .catch((error: unknown) => {
        info = undefined;
        if (error instanceof ConnectWiseError && error.code === 'cw_not_found') {
          throw new ConnectWiseError(
            'cw_unknown_company',
            `ConnectWise has no company "${config.companyId}"`,
            {
              status: 404,
              cause: error,
            },
          );
        }
        throw error;
      });
    return info;
  };

  const baseUrl = async () => `${apiOrigin}/${(await companyInfo()).Codebase}apis/3.0`;

  const headersFor = (cookie: string | undefined): Record<string, string> => ({
    Accept: acceptHeader,
    'Content-Type': 'application/json',
    clientId: config.clientId,
    ...(cookie ? { Cookie: cookie } : { Authorization: `Basic ${basic}` }),
  });

  async function request<T>(spec: RequestSpec<T>, absoluteUrl?: string) {
    const run = async () =>
      transport.call({
        ...spec,
        url: absoluteUrl ?? `${await baseUrl()}${spec.path}`,
        headers: { ...headersFor(spec.cookie), ...spec.extraHeaders },
      });
    try {
      return await run();
    } catch (error) {
      if (absoluteUrl || !(error instanceof ConnectWiseError) || error.code !== 'cw_not_found') throw error;
      const before = await baseUrl();
      info = undefined;
      if ((await baseUrl()) === before) throw error;
      return run();
    }
  }

  /**
   * Every page of a list. Asked for CW's forward-only paging (`pagination-type: forward-only`, whose
   * next links carry a `pageId`; an endpoint without it answers as usual), it follows the
   * `Link: <...>; rel="next"` header. Some endpoints send no Link header at all (domain.md §8): then a
   * full page is followed by the next page number until a short page, so a list never ends silently at
   * its first page.
   */
  async function* pages<T>(path: string, item: z.ZodType<T>, options: PageOptions = {}): AsyncGenerator<T[]> {
    const schema = z.array(item);
    const pageSize = options.pageSize ?? config.pageSize ?? 1000;
    const byNumber = (page: number) =>
      request({
        method: 'GET',
        path,
        params: { page, pageSize, ...optionalParams(options) },
        extraHeaders: forwardOnly,
        schema,
        idempotent: true,
        interactive: options.interactive,
        onSent: page === 1 ? options.onSent : undefined,
      });
    let page = 1;
    // Whether this endpoint pages by Link header: once it has sent one, a page without one is the last.
    let linked = false;
    let answer = await byNumber(page);
    for (;;) {
      yield answer.data;
      const link = answer.headers.link;
      const next = nextLink(link);
      if (link !== undefined) linked = true;
      if (next) {
        if (new URL(next).origin !== apiOrigin) {
          throw new ConnectWiseError(
            'cw_bad_response',
            `ConnectWise sent a next-page link to another host: ${next}`,
          );
        }
        page += 1;
        answer = await request(
          {
            method: 'GET',
            path,
            schema,
            extraHeaders: forwardOnly,
            idempotent: true,
            interactive: options.interactive,
          },
          next,
        );
        continue;
      }
      // An endpoint that never sends a Link header says nothing about more pages: a full page is
      // followed by the next page number, until a short one.
      if (linked || answer.data.length < pageSize) return;
      page += 1;
      answer = await byNumber(page);
    }
  }

  async function all<T>(path: string, item: z.ZodType<T>, options: PageOptions = {}): Promise<T[]> {
    const records: T[] = [];
    for await (const page of pages(path, item, options)) records.push(...page);
    return records;
  }

  return { apiOrigin, companyInfo, request, pages, all, transport };
}

type Connection = ReturnType<typeof createConnection>;

function optionalParams(options: PageOptions): Record<string, string> {
  const params: Record<string, string> = {};
  if (options.conditions) params.conditions = options.conditions;
  if (options.orderBy) params.orderBy = options.orderBy;
  if (options.fields) params.fields = options.fields;
  return params;
}

/** CW's forward-only paging, asked for on every list (domain.md §8). */
const forwardOnly = { 'pagination-type': 'forward-only' } as const;

export function nextLink(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match) return match[1];
  }
  return undefined;
}
