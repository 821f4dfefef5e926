import type { VerifiedMember, VerifyMember } from './test-backend.js';

interface CwMember {
  identifier: string;
  firstName?: string;
  lastName?: string;
  primaryEmail?: string;
}

/**
 * Verifies member data the way domain.md §3 prescribes: ConnectWise's own myMembers/info with cookie
 * auth and no Authorization header, the site pinned to the tenant's ConnectWise host.
 */
export function verifyWithCwSim(
  cwSimUrl: string,
  roles: Record<string, VerifiedMember['role']>,
  clientId = '00000000-0000-4000-8000-00000000c11e',
): VerifyMember {
  const tenantHost = new URL(cwSimUrl).host;
  return async (data) => {
    if (data.site !== tenantHost) return undefined;
    const cookie = [
      `companyName=${data.companyid}`,
      `memberHash=${data.memberHash}`,
      `memberId=${data.memberid}`,
      `memberContext=${data.memberContext}`,
    ].join('; ');
    const response = await fetch(new URL('/v4_6_release/apis/3.0/system/myMembers/info', cwSimUrl), {
      headers: { cookie, clientId, accept: 'application/json' },
    });
    if (!response.ok) return undefined;
    const member = (await response.json()) as CwMember;
    if (member.identifier.toLowerCase() !== String(data.memberid).toLowerCase()) return undefined;
    return {
      id: member.identifier,
      name: `${member.firstName ?? ''} ${member.lastName ?? ''}`.trim(),
      email: member.primaryEmail ?? '',
      role: roles[member.identifier] ?? 'viewer',
      tenant: { id: String(data.companyid), name: 'Simulated MSP' },
    };
  };
}
