/**
 * The ConnectWise Hosted API wire format (domain.md §3). Every message on the wire is a JSON
 * *string*; ConnectWise drops objects, so we never post anything else.
 */

/** What ConnectWise sends a pod for getMemberAuthentication; the backend verifies it with ConnectWise. */
export interface MemberAuthentication {
  companyid: string;
  memberid: string;
  memberHash: string;
  /** Listed in CW's text but absent from its documented example (domain.md §8): accepted either way. */
  memberContext?: string;
  memberEmail: string;
  site: string;
  codeBase?: string;
  ssoAccessToken?: string;
  ssoIdToken?: string;
}

export type HostedEventName = 'onLoad' | 'beforeSave';

export interface ScreenObject {
  screen: string;
  id: string | number;
  hostedAs: 'pod' | 'tab';
}

export interface HostedEvent {
  event: HostedEventName;
  _id: string | number;
  data?: { screenObject?: ScreenObject };
}

/** Messages a pod receives from ConnectWise, recognised by their distinguishing key. */
export type IncomingMessage =
  | { kind: 'frameId'; frameId: string }
  | { kind: 'response'; response: string; data: unknown; _id?: unknown; errors?: string[] }
  | { kind: 'event'; event: HostedEvent };

/** Parses one incoming message; anything that is not a recognised JSON string is `undefined`. */
export function parseIncoming(raw: unknown): IncomingMessage | undefined {
  if (typeof raw !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.MessageFrameID !== undefined && message.MessageFrameID !== null) {
    return { kind: 'frameId', frameId: String(message.MessageFrameID) };
  }
  if (typeof message.response === 'string') {
    const errors = errorsOf(message);
    return {
      kind: 'response',
      response: message.response,
      data: message.data,
      _id: message._id,
      ...(errors ? { errors } : {}),
    };
  }
  if ((message.event === 'onLoad' || message.event === 'beforeSave') && message._id !== undefined) {
    return { kind: 'event', event: message as unknown as HostedEvent };
  }
  return undefined;
}

/**
 * A failure as ConnectWise reports it: an `errors` list (domain.md §8: CW's client script reports
 * failures as `errors`), of strings or of `{message}` objects as CW's REST errors are; or
 * `result: "failure"` with no list. Undefined when the message is no failure.
 */
function errorsOf(message: Record<string, unknown>): string[] | undefined {
  const list = Array.isArray(message.errors) ? message.errors : [];
  const texts = list
    .map((e) =>
      typeof e === 'string' ? e : typeof e?.message === 'string' ? (e.message as string) : JSON.stringify(e),
    )
    .filter((t) => t !== '');
  if (texts.length > 0) return texts;
  return message.result === 'failure' ? ['ConnectWise reported a failure without saying why'] : undefined;
}

/** The one message a pod sends before it knows its frame id, so the one without `frameID`. */
export const readyMessage = () => JSON.stringify({ message: 'ready' });

/** The key must be `hosted_request`: ConnectWise ignores a `request` key. */
export const requestMessage = (name: string, frameId: string, args?: Record<string, unknown>) =>
  JSON.stringify(
    args ? { hosted_request: name, frameID: frameId, args } : { hosted_request: name, frameID: frameId },
  );

/**
 * An event's acknowledgement. CW's own client script adds `frameID` to every message it sends, event
 * acknowledgements included, and reports a failure as `errors` (domain.md §8).
 */
export const eventAckMessage = (
  event: HostedEvent,
  frameId: string,
  result: 'success' | 'failure',
  message?: string,
) =>
  JSON.stringify({
    event: event.event,
    _id: event._id,
    result,
    frameID: frameId,
    ...(message ? { errors: [message] } : {}),
  });

/** True when the value has the fields the backend needs to verify a member with ConnectWise. */
export function isMemberAuthentication(value: unknown): value is MemberAuthentication {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Record<string, unknown>;
  // memberContext is optional (see MemberAuthentication); given, it must be a string.
  if (data.memberContext !== undefined && typeof data.memberContext !== 'string') return false;
  return ['companyid', 'memberid', 'memberHash', 'site'].every(
    (key) => typeof data[key] === 'string' && data[key] !== '',
  );
}
