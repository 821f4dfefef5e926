import type { ConnectWiseClient } from '../connectwise/index.js';
import type { MemberDirectory } from './member-sign-in.js';

/** Sign-in's view of ConnectWise: the member-cookie check and the member's security role. */
export function cwMemberDirectory(
  cw: Pick<ConnectWiseClient, 'verifyMember' | 'getMember'>,
): MemberDirectory {
  return {
    async verifyMemberCookie(auth) {
      const member = await cw.verifyMember(auth);
      return member ? { identifier: member.identifier } : null;
    },
    async memberWithRole(identifier) {
      const member = await cw.getMember(identifier);
      if (!member || member.inactiveFlag) return null;
      return {
        identifier: member.identifier,
        name: [member.firstName, member.lastName].filter(Boolean).join(' ') || member.identifier,
        email: member.officeEmail ?? member.primaryEmail ?? '',
        securityRole: member.securityRole?.name ?? '',
      };
    },
  };
}
