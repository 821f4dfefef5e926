import { createRequire } from 'node:module';
import type { CallGate } from '../../outbound/call-gate.js';
import { isQuickBooksWrite } from '../../outbound/metering/periods.js';
import type { AccessTokenSource } from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { toLedgerError } from './errors.js';

export interface SdkSettings {
  /** e.g. https://quickbooks.api.intuit.com/v3/company/ or the simulator's /v3/company/ */
  apiBaseUrl: string;
  realmId: string;
  tokens: AccessTokenSource;
  minorVersion: number;
  /** node-quickbooks sets no timeout of its own. */
  timeoutMs: number;
  /** Shared call limits; every SDK call passes through it. */
  gate: CallGate;
}

// node-quickbooks is `module.exports = QuickBooks`, but its typings declare `export default`,
// which NodeNext resolves to the wrong shape; requiring it states what really happens.
const QuickBooks = createRequire(import.meta.url)('node-quickbooks') as new (...args: unknown[]) => unknown;

type Callback = (err: unknown, data: unknown) => void;
type SdkMethod = (...args: unknown[]) => void;

/**
 * Calls one node-quickbooks method on a fresh SDK object (the SDK keeps per-call state, e.g. it
 * deletes `requestId` from the entity it is given) and turns every failure into a LedgerError.
 */
export function callSdk(settings: SdkSettings, method: string, ...args: unknown[]): Promise<unknown> {
  return settings.gate.run(() => callSdkNow(settings, method, ...args), { write: isQuickBooksWrite(method) });
}

async function callSdkNow(settings: SdkSettings, method: string, ...args: unknown[]): Promise<unknown> {
  const accessToken = await settings.tokens.accessToken();
  // The constructor is OAuth 2 when oauthversion is '2.0'; setOauthVersion('2.0') is never called
  // because it fetches discovery documents from the network.
  const sdk = new QuickBooks(
    'unused-client-id',
    'unused-client-secret',
    accessToken,
    false,
    settings.realmId,
    false,
    false,
    settings.minorVersion,
    '2.0',
    undefined,
  ) as unknown as Record<string, unknown>;
  sdk.endpoint = settings.apiBaseUrl.endsWith('/') ? settings.apiBaseUrl : `${settings.apiBaseUrl}/`;
  const fn = sdk[method] as SdkMethod | undefined;
  if (typeof fn !== 'function') throw new Error(`node-quickbooks has no method ${method}`);

  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LedgerError({
              code: 'ledger_timeout',
              providerMessage: `QuickBooks did not answer ${method} within ${settings.timeoutMs} ms`,
              retryable: true,
            }),
          ),
        settings.timeoutMs,
      );
      const callback: Callback = (err, data) => (err ? reject(err) : resolve(data));
      fn.call(sdk, ...args, callback);
    });
  } catch (error) {
    const ledgerError = toLedgerError(error);
    if (ledgerError.code === 'ledger_unauthorized') {
      // A refused token (401) is refreshed once; a refusal a refresh cannot fix (403 / 3100)
      // turns the connection needs_reconnect instead, so no call refreshes in a loop.
      if (ledgerError.retryable) settings.tokens.invalidate();
      else await settings.tokens.refused?.(ledgerError.providerMessage);
    }
    throw ledgerError;
  } finally {
    clearTimeout(timer);
  }
}
