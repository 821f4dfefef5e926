import { lesserRole, type Role } from './roles.js';
import type { Session } from './session.js';

/** How old a member's role may be before ConnectWise is asked again (issue 18: within a minute). */
export const memberRecheckMs = 55_000;
/** Members kept: one per member active in the last minute, with room to spare. */
const cacheSize = 20_000;

/**
 * The member's role and active flag as ConnectWise says now: the role the tenant's map gives the
 * member's current security role, or undefined when the member is inactive, gone, or maps to no
 * access. Throws when ConnectWise cannot be asked.
 */
export type CurrentRoleOf = (tenantId: string, memberId: string) => Promise<Role | undefined>;

interface Standing {
  role: Role | undefined;
  at: number;
}

/**
 * A session token lives 15 minutes; a member demoted or deactivated in ConnectWise must lose their
 * rights within a minute. So every request's session is held against what ConnectWise said about
 * the member at most `maxAgeMs` ago: a request after that waits for one member read (shared by the
 * member's concurrent requests), the others are a map look-up. Only ever lowers a session's role:
 * a promotion takes effect at the next sign-in, whose token carries it.
 *
 * When ConnectWise cannot answer, the last answer stands (or the token's role, checked at sign-in
 * within 15 minutes): an outage of ConnectWise must not lock every member out of their own status.
 */
export class MemberRecheck {
  private readonly known = new Map<string, Standing>();
  private readonly asking = new Map<string, Promise<Standing>>();

  constructor(
    private readonly currentRoleOf: CurrentRoleOf,
    private readonly options: {
      maxAgeMs?: number;
      now?: () => number;
      onError?: (error: unknown, session: Session) => void;
    } = {},
  ) {}

  /** What the member may do now: the session's role or less; undefined for no access at all. */
  async roleOf(session: Session): Promise<Role | undefined> {
    const key = keyOf(session.tenantId, session.memberId);
    const now = this.now();
    let standing = this.known.get(key);
    if (!standing || now - standing.at > (this.options.maxAgeMs ?? memberRecheckMs)) {
      try {
        standing = await this.ask(key, session);
      } catch (error) {
        this.options.onError?.(error, session);
        if (!standing) return session.role;
      }
    }
    return standing.role === undefined ? undefined : lesserRole(session.role, standing.role);
  }

  /** A sign-in just read the member from ConnectWise: no need to ask again for a minute. */
  remember(session: Session): void {
    this.store(keyOf(session.tenantId, session.memberId), { role: session.role, at: this.now() });
  }

  private ask(key: string, session: Session): Promise<Standing> {
    let pending = this.asking.get(key);
    if (!pending) {
      const at = this.now();
      pending = this.currentRoleOf(session.tenantId, session.memberId)
        .then((role) => {
          const standing = { role, at };
          this.store(key, standing);
          return standing;
        })
        .finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  private store(key: string, standing: Standing) {
    this.known.delete(key);
    this.known.set(key, standing);
    // Insertion order is age order: the first entries are the stalest.
    while (this.known.size > cacheSize) this.known.delete(this.known.keys().next().value as string);
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }
}

const keyOf = (tenantId: string, memberId: string) => `${tenantId} ${memberId.toLowerCase()}`;
