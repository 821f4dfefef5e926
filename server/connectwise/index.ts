export { verifyCallbackSignature } from './callback-signature.js';
export type {
  ConnectWiseClient,
  HostedSetupInput,
  UnpostedKind,
} from './client.js';
export { createConnectWiseClient } from './client.js';
export type { ConnectWiseConfig } from './connection.js';
export { ConnectWiseError } from './errors.js';
export { parseGlEntryIds } from './gl-entry-ids.js';
export { decideRetry, defaultRetryPolicy } from './retry.js';
export * from './schemas.js';
export { apiOriginForSite } from './site.js';
