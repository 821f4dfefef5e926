import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Every secret-bearing field is redacted wherever it appears, so a mistaken log call cannot leak
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
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}
