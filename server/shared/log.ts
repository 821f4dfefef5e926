import { type DestinationStream, type Logger, pino } from 'pino';
import { redactValue, scrubText } from './redact.js';

export type { Logger };

/**
 * Known secret-bearing fields, censored by path before a line is written; redact.ts then scrubs the
 * finished line for secrets in any other shape. Every secret-bearing field is redacted wherever it appears, so a mistaken log call cannot leak
 * a token, a ConnectWise member hash or an API key.
 */
export const redactedPaths = [
  'memberHash',
  '*.memberHash',
  '*.*.memberHash',
  'privateKey',
  '*.privateKey',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-content-signature"]',
  'req.headers["intuit-signature"]',
  'req.headers["x-xero-signature"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      // Errors become plain copies with secret fields censored: an SDK error carries its request.
      serializers: { err: redactValue, error: redactValue },
      // The last word on every line, whatever its shape: see redact.ts.
      hooks: { streamWrite: scrubText },
    },
    destination,
  );
}
