import { describe, expect, it } from 'vitest';
import { redactValue, scrubText, storableError } from '../../server/shared/redact.js';
import { captureLogs } from '../support/capture-logs.js';

/** An error shaped as intuit-oauth's wrapped error: the axios response with its request inside. */
function intuitLikeError() {
  const error = new Error('Internal Server Error') as Error & Record<string, unknown>;
  error.error = 'Internal Server Error';
  error.authResponse = {
    token: { refresh_token: 'RT-SECRET-1', access_token: 'AT-SECRET-1', state: 'st' },
    response: {
      status: 500,
      config: {
        data: 'grant_type=refresh_token&refresh_token=RT-SECRET-2',
        headers: { Authorization: 'Basic Q0xJRU5UOlNFQ1JFVA==', 'Content-Type': 'x' },
      },
      request: { _header: 'POST /oauth2/tokens/bearer\r\nAuthorization: Basic Q0xJRU5UOlNFQ1JFVA==\r\n' },
    },
    body: '{"refresh_token":"RT-SECRET-3"}',
  };
  error.self = error;
  return error;
}
const secrets = ['RT-SECRET-1', 'AT-SECRET-1', 'RT-SECRET-2', 'RT-SECRET-3', 'Q0xJRU5UOlNFQ1JFVA=='];

describe('the redaction layer', () => {
  it('scrubs form bodies, query strings, credentials, JSON fields and JWTs; leaves the rest', () => {
    expect(scrubText('grant_type=authorization_code&code=AB11xyz&redirect_uri=x')).toBe(
      'grant_type=authorization_code&code=[redacted]&redirect_uri=x',
    );
    expect(scrubText('/oauth/xero/callback?code=c0de12&state=eyJhbGciOiJI.eyJ0aWQiOiJ4In0.sig&x=1')).toBe(
      '/oauth/xero/callback?code=[redacted]&state=[redacted]&x=1',
    );
    expect(scrubText('Authorization: Basic Q0xJRU5UOlNFQ1JFVA==')).toBe('Authorization: Basic [redacted]');
    expect(scrubText('{"refresh_token":"abc","x":1}')).toBe('{"refresh_token":"[redacted]","x":1}');
    expect(scrubText('{"m":"{\\"access_token\\":\\"abc\\"}"}')).toBe(
      '{"m":"{\\"access_token\\":\\"[redacted]\\"}"}',
    );
    expect(scrubText('binding lp_oauth_3f2a9c=Zk9PYmFy1; Path=/')).toBe(
      'binding lp_oauth_3f2a9c=[redacted]; Path=/',
    );
    expect(scrubText('request failed\nCookie: lp_oauth_3f2a9c=Zk9PYmFy1; other=plain\nnext')).toBe(
      'request failed\nCookie: [redacted]\nnext',
    );
    expect(scrubText('record state synced, code ledger_unavailable')).toBe(
      'record state synced, code ledger_unavailable',
    );
  });

  it('copies an SDK error without its secrets, cycles or sockets; error codes stay', () => {
    const copy = JSON.stringify(redactValue(intuitLikeError()));
    for (const secret of secrets) expect(copy).not.toContain(secret);
    expect(copy).toContain('Internal Server Error');
    expect(redactValue({ code: 'ledger_unavailable', state: 'synced' })).toEqual({
      code: 'ledger_unavailable',
      state: 'synced',
    });
    expect(redactValue({ grant_type: 'authorization_code', code: 'AB11' })).toMatchObject({
      code: '[redacted]',
    });
  });

  it('a logged SDK error, whatever key it is logged under, leaves no secret in the line', () => {
    const logs = captureLogs();
    logs.logger.error({ err: intuitLikeError() }, 'refresh failed');
    logs.logger.error({ failure: intuitLikeError() }, 'refresh failed');
    logs.logger.error(`refresh failed: ${JSON.stringify(intuitLikeError().authResponse)}`);
    const text = logs.text();
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('what a failed job hands pg-boss keeps the message and code only', () => {
    const error = intuitLikeError();
    error.code = 'ledger_unavailable';
    const stored = storableError(error);
    expect(stored.message).toBe('Internal Server Error');
    expect((stored as Error & { code?: string }).code).toBe('ledger_unavailable');
    expect(Object.keys(stored)).not.toContain('authResponse');
  });
});
