import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CwMemberAuthData } from '../../../sim/cw-shell/member-auth.js';
import type { VerifiedMember } from './test-backend.js';

export interface DirectoryMember {
  identifier: string;
  name: string;
  role: 'viewer' | 'accountant' | 'admin';
  /** ConnectWise hands out data for this member, but it no longer verifies (logged out, disabled). */
  revoked?: boolean;
}

/**
 * A stand-in for ConnectWise's member check until the ConnectWise simulator lands: `memberAuth`
 * issues what ConnectWise would hand a pod, `verify` is the cookie-auth call to myMembers/info.
 */
export function memberDirectory(members: DirectoryMember[], companyid = 'ledgerpod_demo') {
  const hashes = new Map<string, Buffer>();
  return {
    members,
    companyid,
    async memberAuth(identifier: string): Promise<CwMemberAuthData> {
      const hash = randomBytes(16).toString('hex');
      hashes.set(identifier, Buffer.from(hash));
      return {
        companyid,
        memberid: identifier,
        memberHash: hash,
        memberContext: `ctx-${identifier}`,
        memberEmail: `${identifier}@example.test`,
        site: 'na.myconnectwise.net',
        codeBase: 'v4_6_release/',
      };
    },
    async verify(data: Record<string, unknown>): Promise<VerifiedMember | undefined> {
      const member = members.find((m) => m.identifier === data.memberid && !m.revoked);
      const issued = member && hashes.get(member.identifier);
      const given = Buffer.from(String(data.memberHash ?? ''));
      if (!issued || data.companyid !== companyid || issued.length !== given.length) return undefined;
      if (!timingSafeEqual(issued, given)) return undefined;
      const { identifier, name, role } = member;
      const tenant = { id: companyid, name: 'Ledgerpod Demo MSP' };
      return { id: identifier, name, role, email: `${identifier}@example.test`, tenant };
    },
  };
}

type MemberDirectory = ReturnType<typeof memberDirectory>;
