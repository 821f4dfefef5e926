/** The `data` ConnectWise hands a pod for getMemberAuthentication (domain.md §3). */
export interface CwMemberAuthData {
  companyid: string;
  memberid: string;
  memberHash: string;
  /** Absent when the ConnectWise simulator issues none (its memberContext switch). */
  memberContext?: string;
  memberEmail: string;
  site: string;
  codeBase?: string;
  [extra: string]: unknown;
}

export type MemberAuthProvider = (memberIdentifier: string) => Promise<CwMemberAuthData>;

/**
 * ConnectWise itself knows the logged-in member; the shell asks the ConnectWise simulator for the
 * same data it would hand a pod, so the backend can verify it against that simulator.
 */
export function memberAuthFromCwSim(cwSimUrl: string): MemberAuthProvider {
  return async (memberIdentifier) => {
    const response = await fetch(new URL('/__sim/member-auth', cwSimUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberIdentifier }),
    });
    if (!response.ok) {
      throw new Error(
        `ConnectWise simulator refused member-auth for ${memberIdentifier}: HTTP ${response.status}`,
      );
    }
    return (await response.json()) as CwMemberAuthData;
  };
}
