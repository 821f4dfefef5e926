import type { Router } from 'express';
import { type Ledgerpod, startLedgerpod } from '../../server/app/server.js';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { Config } from '../../server/shared/config.js';
import { createLogger, type Logger } from '../../server/shared/log.js';
import { testConfig } from './test-config.js';
import { createTestDatabase } from './test-database.js';

export interface TestPod extends Ledgerpod {
  url: string;
  close(): Promise<void>;
}

/** The whole product in-process on a free port, on a fresh database. */
export async function startTestPod(
  options: {
    config?: Config;
    database?: DatabaseHandle;
    routers?: (pod: Omit<Ledgerpod, 'url' | 'stop'>) => Router[];
    logger?: Logger;
  } = {},
): Promise<TestPod> {
  const database = options.database ?? (await createTestDatabase());
  const pod = await startLedgerpod(options.config ?? testConfig(), {
    logger: options.logger ?? createLogger('silent'),
    database,
    routers: options.routers,
  });
  return {
    ...pod,
    url: pod.url!,
    async close() {
      await pod.stop();
      if (!options.database) await database.close();
    },
  };
}
