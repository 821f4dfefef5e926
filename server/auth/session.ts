import type { Role } from './roles.js';

/** A signed-in ConnectWise member of one tenant, as the session token carries it. */
export interface Session {
  tenantId: string;
  memberId: string;
  memberName: string;
  role: Role;
}
