export { allowedOriginFor } from './allowed-origin.js';
export {
  type ConnectOptions,
  type ConnectResult,
  connectHostedApi,
  type HostedApi,
  HostedApiError,
  type HostedApiErrorCode,
  type HostedEventHandler,
} from './hosted-api.js';
export type { HostedEvent, MemberAuthentication, ScreenObject } from './protocol.js';
export {
  type PodSession,
  type SessionError,
  type SessionInfo,
  type SessionResult,
  startSession,
} from './session.js';
