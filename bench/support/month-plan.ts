/**
 * A month of an MSP's accounting activity per tenant, as data (pure, seeded): invoices on business
 * days (fewer on weekends, a burst in the last two business days as agreements are billed at month
 * end), a credit memo now and then, and customer payments some days after their invoice (some
 * partial, some not within the month). Idle tenants have none of it: their cost is the schedule's.
 */
export interface PlannedInvoice {
  tenant: number;
  day: number;
  /** A credit memo instead of an invoice. */
  credit: boolean;
  /** The day a payment is made in the ledger, if within the month; `part` of the total. */
  paidOn?: number;
  part?: 0.5 | 1;
}

export interface MonthPlan {
  days: number;
  idle: Set<number>;
  invoices: PlannedInvoice[];
}

/** Mulberry32: small, seeded, good enough for a workload. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Day 0 is a Monday; days 5 and 6 of each week are the weekend. */
export const isWeekend = (day: number) => day % 7 >= 5;

export function monthPlan(options: {
  tenants: number;
  days: number;
  seed: number;
  /** Share of tenants with no activity at all: the first ones (at least two, so both ledgers have one). */
  idleShare: number;
  /** Invoices per business day per active tenant, on average. */
  perBusinessDay: number;
}): MonthPlan {
  const rand = random(options.seed);
  const businessDays = Array.from({ length: options.days }, (_, d) => d).filter((d) => !isWeekend(d));
  const monthEnd = new Set(businessDays.slice(-2));
  const idle = new Set<number>();
  const invoices: PlannedInvoice[] = [];
  const idleCount = Math.min(options.tenants, Math.max(2, Math.round(options.idleShare * options.tenants)));
  for (let t = 0; t < options.tenants; t++) {
    if (t < idleCount) {
      idle.add(t);
      continue;
    }
    for (let day = 0; day < options.days; day++) {
      const mean = isWeekend(day)
        ? options.perBusinessDay * 0.1
        : options.perBusinessDay * (monthEnd.has(day) ? 4 : 1);
      // A count around the mean (its integer part, one more with the fraction's probability).
      const count = Math.floor(mean) + (rand() < mean - Math.floor(mean) ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const credit = rand() < 0.05;
        const lag = 3 + Math.floor(rand() * 25);
        const paid = !credit && rand() < 0.8 && day + lag < options.days;
        invoices.push({
          tenant: t,
          day,
          credit,
          ...(paid ? { paidOn: day + lag, part: rand() < 0.15 ? 0.5 : 1 } : {}),
        });
      }
    }
  }
  return { days: options.days, idle, invoices };
}
