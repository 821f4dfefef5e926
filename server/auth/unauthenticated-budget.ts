import type { CallLimiter, CallLimits } from '../outbound/call-limiter.js';
import { AppError } from '../shared/errors.js';

/**
 * How much ConnectWise work a tenant spends on requests nobody has proven yet: a sign-in's cookie
 * check, a callback's signing-key fetch. Each is one CW call on the tenant's own budget, asked for
 * by anyone who knows the company and site. Refused requests cost no CW call at all.
 *
 * - per source (client address): one attacker exhausts only their own allowance, so members
 *   signing in from elsewhere, and ConnectWise's own callbacks, are untouched;
 * - per tenant, across sources: a spread-out flood can take at most `tenant.perMinute` of the
 *   tenant's CW budget (600/min), so pushes keep at least 90% of it.
 *
 * Work that proves legitimate (a member CW confirmed, a callback whose signature matched) gives
 * its call back: real sign-ins and callbacks never use the allowance up, only failures do.
 *
 * The tenant-wide pool can be spent by anyone with enough addresses, so a sign-in from a network
 * where a member already signed in for real (`knownSource`, auth/sign-in-sources.ts) skips it and
 * draws on its own source's allowance only: a forged flood from many addresses cannot lock those
 * members out.
 */
export interface UnauthenticatedBudgetLimits {
  source: Pick<CallLimits, 'perMinute' | 'burst'>;
  tenant: Pick<CallLimits, 'perMinute' | 'burst'>;
}

export const unauthenticatedLimits: UnauthenticatedBudgetLimits = {
  // Five failures at once from one address, then one every 6 s: a member mistyping nothing (the
  // pod sends what CW hands it) never gets here; a reload loop of a broken CW login does slowly.
  source: { perMinute: 10, burst: 5 },
  // Each call a flood gets is an interactive CW call that jumps ahead of pushes, one 100 ms interval
  // of the 600/min budget each: 20 pushes take about 50 such intervals, so a burst of 20 could
  // stretch them by 40%; 10 keeps a flood's burst to about 1 s of the pushes' time, and the rate to
  // a tenth of the budget. Members on networks seen before never draw on this (sign-in-sources.ts),
  // so it holds back only first sign-ins from new networks, and only while a flood lasts.
  tenant: { perMinute: 60, burst: 10 },
};

export type Spend =
  | { ok: true; giveBack(): Promise<void> }
  /** `scope`: whose allowance ran out, the sender's network's or the whole tenant's. */
  | { ok: false; retryAfterSeconds: number; scope: 'source' | 'tenant' };

export class UnauthenticatedBudget {
  constructor(
    private readonly limiter: Pick<CallLimiter, 'tryTake' | 'giveBack'>,
    private readonly limits: UnauthenticatedBudgetLimits = unauthenticatedLimits,
  ) {}

  /**
   * One CW call's worth for `what` (sign-in, callback key) of `tenantId` from `source`; from a
   * `knownSource`, of that source's allowance only.
   */
  async spend(
    what: string,
    tenantId: string,
    source: string,
    /** Asked only once the source's own allowance let the request through (one query fewer for a flood from one address). */
    options: { knownSource?: () => Promise<boolean> } = {},
  ): Promise<Spend> {
    const sourceKey = `unauth:${what}:${tenantId}:${sourceOf(source)}`;
    const tenantKey = `unauth:${what}:${tenantId}`;
    const bySource = await this.limiter.tryTake(sourceKey, this.limits.source);
    if (!bySource.allowed) return refused(bySource.waitMs, 'source');
    const tenantWide = !(await options.knownSource?.());
    if (tenantWide) {
      const byTenant = await this.limiter.tryTake(tenantKey, this.limits.tenant);
      if (!byTenant.allowed) {
        await this.limiter.giveBack(sourceKey, this.limits.source);
        return refused(byTenant.waitMs, 'tenant');
      }
    }
    let given = false;
    return {
      ok: true,
      giveBack: async () => {
        if (given) return;
        given = true;
        await this.limiter.giveBack(sourceKey, this.limits.source);
        if (tenantWide) await this.limiter.giveBack(tenantKey, this.limits.tenant);
      },
    };
  }
}

const refused = (waitMs: number, scope: 'source' | 'tenant'): Spend => ({
  ok: false,
  retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
  scope,
});

/**
 * The address a budget is kept for. IPv6 clients are grouped by /64, the block one subscriber
 * (and so one attacker) is routinely given; IPv4 by the address.
 */
export function sourceOf(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip || 'unknown';
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = ip.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The 429 a refused spend answers, with Retry-After set by the route. */
export function tooManyUnproven(
  what: string,
  retryAfterSeconds: number,
  scope: 'source' | 'tenant' = 'source',
): AppError {
  return new AppError(
    429,
    'too_many_attempts',
    scope === 'source'
      ? `Too many unconfirmed ${what} for this company from your network`
      : `Too many unconfirmed ${what} for this company from networks not seen before`,
    {
      hint:
        scope === 'source'
          ? `Wait ${retryAfterSeconds} s and try again. If this keeps happening, ConnectWise may not be confirming your sign-in: sign out of ConnectWise and back in.`
          : `Wait ${retryAfterSeconds} s and try again. Many sign-ins ConnectWise did not confirm are arriving for this company; once a member has signed in from your network, they no longer hold it back.`,
      details: { retryAfterSeconds },
    },
  );
}
