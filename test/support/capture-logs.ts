import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../server/shared/log.js';

/** A real pino logger at debug level whose output is kept, so tests can search what was logged. */
export function captureLogs(): { logger: Logger; text(): string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('debug', sink), text: () => chunks.join('') };
}
