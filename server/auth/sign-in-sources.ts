import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { sourceOf } from './unauthenticated-budget.js';

/**
 * The networks a tenant's members have signed in from, each confirmed by ConnectWise (issue 18,
 * finding 1). What makes a sign-in real, its memberHash, can only be checked with a ConnectWise
 * call, and the pod keeps nothing between loads (no third-party cookies in CW's iframe, the token
 * in memory only), so nothing in the request itself tells a member's first sign-in of the day from
 * a forged one. The client address can: TCP makes it unforgeable, and a forger who knows the
 * company and site still cannot send from a network where a member once signed in for real.
 *
 * A sign-in from a known network draws on that network's own allowance only; from any other it
 * draws on the tenant-wide pool as well, which a forger with many addresses (one IPv6 /48 holds
 * 65,536 /64s) can spend. So a flood locks out at most members on networks never seen before.
 *
 * Bounds: rows are written only after a complete sign-in (member confirmed, role mapped); each
 * member keeps the `perMember` most recent networks, so a member (an insider) can make at most that
 * many sources skip the tenant pool; a network unseen for `keepDays` is unknown again (addresses
 * are reassigned).
 */
export class SignInSources {
  constructor(
    private readonly db: Db,
    private readonly options: { perMember: number; keepDays: number } = { perMember: 5, keepDays: 30 },
  ) {}

  /** Whether some member signed in from the network of `ip` with ConnectWise's confirmation. */
  async isKnown(tenantId: string, ip: string): Promise<boolean> {
    const source = sourceOf(ip);
    if (source === 'unknown') return false;
    const row = await this.db
      .selectFrom('sign_in_sources')
      .select('member_id')
      .where('tenant_id', '=', tenantId)
      .where('source', '=', source)
      .where('verified_at', '>', sql<Date>`now() - make_interval(days => ${this.options.keepDays})`)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** After a real sign-in: the member's network is known (again), their oldest beyond the cap not. */
  async remember(tenantId: string, memberId: string, ip: string): Promise<void> {
    const source = sourceOf(ip);
    if (source === 'unknown') return;
    const member = memberId.toLowerCase();
    // Refreshed at most hourly: every pod load signs in, and a write each time buys nothing.
    const written = await this.db
      .insertInto('sign_in_sources')
      .values({ tenant_id: tenantId, source, member_id: member })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'source', 'member_id'])
          .doUpdateSet({ verified_at: sql`now()` })
          .where('sign_in_sources.verified_at', '<', sql<Date>`now() - interval '1 hour'`),
      )
      .returning('source')
      .executeTakeFirst();
    if (!written) return;
    await this.db
      .deleteFrom('sign_in_sources')
      .where('tenant_id', '=', tenantId)
      .where('member_id', '=', member)
      .where((eb) =>
        eb.or([
          eb('verified_at', '<=', sql<Date>`now() - make_interval(days => ${this.options.keepDays})`),
          eb(
            'source',
            'not in',
            eb
              .selectFrom('sign_in_sources')
              .select('source')
              .where('tenant_id', '=', tenantId)
              .where('member_id', '=', member)
              .orderBy('verified_at', 'desc')
              .limit(this.options.perMember),
          ),
        ]),
      )
      .execute();
  }
}
