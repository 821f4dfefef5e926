import type { Problem } from '../../../contract/problems.js';

/*
 * An expired ConnectWise session, however it shows: ConnectWise hands the pod no member
 * (getmemberauthentication without one: invalid_response), our backend cannot get ConnectWise to
 * confirm the member (member_not_verified), ConnectWise answers getmemberauthentication with `errors`
 * (refused, the only request a pod waits on an answer to), or a renewal failed mid-use. What real ConnectWise
 * answers a pod after its session timed out is not documented; these are the answers a pod can get,
 * each treated as the session being gone, which a sign-in fixes.
 */
const expiredCodes = new Set(['invalid_response', 'refused', 'member_not_verified', 'cw_session_expired']);

export const isExpiredSession = (code: string | undefined) => code !== undefined && expiredCodes.has(code);

export const expiredSession: Problem = {
  code: 'cw_session_expired',
  message: 'Your ConnectWise session has expired.',
  hint: 'Sign in to ConnectWise again, then press Sign in again.',
};
