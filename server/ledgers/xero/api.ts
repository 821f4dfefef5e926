import { createHash } from 'node:crypto';
import { type AccountingApi, ObjectSerializer, XeroClient } from 'xero-node';
import type { z } from 'zod';
import { type CallGate, openGate } from '../../outbound/call-gate.js';
import type { AccessTokenSource } from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { toLedgerError } from './errors.js';

export interface XeroApiOptions {
  apiBaseUrl: string;
  xeroTenantId: string;
  tokens: AccessTokenSource;
  /** Per-request limit; xero-node sets none, so a hung socket would otherwise hang the sync. */
  timeoutMs?: number;
  /** Shared call limits; every SDK call passes through it. */
  gate?: CallGate;
}

/** Xero takes at most 128 characters; a longer key is hashed, which keeps it stable across retries. */
export const idempotencyKeyFor = (key: string): string =>
  key.length <= 128 ? key : createHash('sha256').update(key).digest('hex');

/**
 * The one place the SDK is called: the token and timeout go on each request, rejections become
 * LedgerErrors, a 401 invalidates the token, and the raw JSON answer is validated before use.
 */
export class XeroApi {
  readonly api: AccountingApi;
  readonly tenantId: string;
  private readonly tokens: AccessTokenSource;
  private readonly gate: CallGate;

  constructor(options: XeroApiOptions) {
    const xero = new XeroClient();
    this.api = xero.accountingApi;
    this.api.basePath = options.apiBaseUrl.replace(/\/+$/, '');
    this.tenantId = options.xeroTenantId;
    this.tokens = options.tokens;
    this.gate = options.gate ?? openGate;
    const timeout = options.timeoutMs ?? 30_000;
    // The default authentication runs after the SDK's OAuth2 one, on every request, so each call
    // carries the current token without mutating shared SDK state between concurrent calls.
    this.api.setDefaultAuthentication({
      applyToRequest: async (request) => {
        request.headers = {
          ...request.headers,
          Authorization: `Bearer ${await this.tokens.accessToken()}`,
        } as typeof request.headers;
        request.timeout = timeout;
      },
    });
  }

  /** SDK model from our wire object: the SDK serialises camelCase models back to the same wire. */
  model<T>(wire: unknown, type: string): T {
    return ObjectSerializer.deserialize(wire, type) as T;
  }

  /**
   * Xero tells on every answer how many calls are left this minute and today. At zero, every
   * process holds back (shared through the gate) instead of running into 429s: until the next
   * minute, or for an hour when the day's allowance is gone.
   */
  private async honourRemainingLimits(headers: Record<string, unknown> | undefined): Promise<void> {
    const left = (name: string) => {
      const value = headers?.[name];
      return value === undefined || value === null || value === '' ? undefined : Number(value);
    };
    if (left('x-daylimit-remaining') === 0) await this.gate.slowDown(60 * 60_000);
    else if (left('x-minlimit-remaining') === 0) await this.gate.slowDown(60_000);
  }

  async call<S extends z.ZodType>(
    schema: S,
    run: (api: AccountingApi, tenantId: string) => Promise<{ response: unknown }>,
  ): Promise<z.infer<S>> {
    // Inside the gate the rejection is already a LedgerError, so the gate can honour a 429.
    const raw = await this.gate.run(async () => {
      try {
        const result = await run(this.api, this.tenantId);
        const response = result.response as { data?: unknown; headers?: Record<string, unknown> };
        await this.honourRemainingLimits(response.headers);
        return response.data;
      } catch (rejection) {
        const error = toLedgerError(rejection);
        if (error.code === 'ledger_unauthorized' && error.status === 401) this.tokens.invalidate();
        throw error;
      }
    });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: `Unexpected answer from Xero: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
        retryable: false,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}
