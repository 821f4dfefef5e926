export { verifyCallbackSignature } from './callback-signature.js';
export type {
  ConnectWiseClient,
  CreateBatchRequest,
  ExportRequest,
  HostedSetupInput,
  MemberCookieData,
  UnpostedKind,
} from './client.js';
export { createConnectWiseClient, quote } from './client.js';
export type { ConnectWiseConfig, PageOptions } from './connection.js';
export type { ConnectWiseErrorCode } from './errors.js';
export { ConnectWiseError } from './errors.js';
export { parseGlEntryIds } from './gl-entry-ids.js';
export type { RetryInput, RetryPolicy } from './retry.js';
export { decideRetry, defaultRetryPolicy } from './retry.js';
export * from './schemas.js';
export { apiOriginForSite } from './site.js';
