import { describe, expect, it } from 'vitest';
import {
  apiOriginForSite,
  decideRetry,
  defaultRetryPolicy,
  parseGlEntryIds,
  verifyCallbackSignature,
} from '../../server/connectwise/index.js';
import { signCallback } from '../../sim/connectwise/index.js';

const half = () => 0.5;

describe('decideRetry', () => {
  it('waits as long as Retry-After says on a 429, even for a POST', () => {
    const decision = decideRetry({
      attempt: 1,
      failure: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      idempotent: false,
    });
    expect(decision).toEqual({ retry: true, reason: 'rate_limited', waitMs: 2000 });
  });
  it('backs off exponentially with jitter for 5xx and timeouts on idempotent calls', () => {
    const waits = [1, 2, 3].map(
      (attempt) =>
        decideRetry({ attempt, failure: { kind: 'status', status: 503 }, idempotent: true, random: half })
          .waitMs,
    );
    expect(waits).toEqual([225, 450, 900]);
    expect(decideRetry({ attempt: 1, failure: { kind: 'timeout' }, idempotent: true }).retry).toBe(true);
    expect(decideRetry({ attempt: 1, failure: { kind: 'network' }, idempotent: true }).retry).toBe(true);
  });
  it('never blindly retries a non-idempotent call that may have taken effect', () => {
    expect(decideRetry({ attempt: 1, failure: { kind: 'timeout' }, idempotent: false })).toMatchObject({
      retry: false,
      reason: 'ambiguous_timeout',
    });
    expect(decideRetry({ attempt: 1, failure: { kind: 'network' }, idempotent: false }).reason).toBe(
      'ambiguous_network',
    );
    expect(
      decideRetry({ attempt: 1, failure: { kind: 'status', status: 500 }, idempotent: false }).reason,
    ).toBe('ambiguous_server_error');
  });
  it('does not retry client errors', () => {
    expect(
      decideRetry({ attempt: 1, failure: { kind: 'status', status: 400 }, idempotent: true }).retry,
    ).toBe(false);
  });
  it('stops after the attempt limit and the total wait budget', () => {
    const limit = defaultRetryPolicy.maxAttempts;
    expect(decideRetry({ attempt: limit, failure: { kind: 'timeout' }, idempotent: true }).reason).toBe(
      'attempts_exhausted',
    );
    expect(
      decideRetry({
        attempt: 1,
        failure: { kind: 'status', status: 429, headers: { 'retry-after': '120' } },
        idempotent: true,
      }).reason,
    ).toBe('wait_budget_exhausted');
  });
});

describe('callback signature', () => {
  const body = '{"MessageId":"1","Type":"invoice","ID":7}';
  it('accepts what CW signs and refuses any change', () => {
    const signature = signCallback(body, 'secret-key');
    expect(verifyCallbackSignature(body, signature, 'secret-key')).toBe(true);
    expect(verifyCallbackSignature(Buffer.from(body), signature, 'secret-key')).toBe(true);
    expect(verifyCallbackSignature(`${body} `, signature, 'secret-key')).toBe(false);
    expect(verifyCallbackSignature(body, signature, 'other-key')).toBe(false);
    expect(verifyCallbackSignature(body, undefined, 'secret-key')).toBe(false);
    expect(verifyCallbackSignature(body, 'short', 'secret-key')).toBe(false);
  });
});

describe('small parsers', () => {
  it('parses glEntryIds, a comma-separated string', () => {
    expect(parseGlEntryIds('101, 102,103')).toEqual([101, 102, 103]);
    expect(parseGlEntryIds('')).toEqual([]);
    expect(parseGlEntryIds(undefined)).toEqual([]);
  });
  it('derives the API origin from the site', () => {
    expect(apiOriginForSite('na.myconnectwise.net')).toBe('https://api-na.myconnectwise.net');
    expect(apiOriginForSite('https://eu.myconnectwise.net/')).toBe('https://api-eu.myconnectwise.net');
    expect(apiOriginForSite('cw.example.com')).toBe('https://cw.example.com');
  });
});
