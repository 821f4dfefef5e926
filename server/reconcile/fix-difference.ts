import type { RecordRow } from '../db/schema.js';
import { paymentsDepsFor } from '../payments/payment-jobs.js';
import { writeLedgerPayments } from '../payments/payments-back.js';
import { applyCredit, cwCreditApplicationsIn } from '../pipeline/credit-application.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { AppError } from '../shared/errors.js';
import { checkRecord } from './check-record.js';
import type { Difference } from './drift.js';

/**
 * A difference's fix, made by Ledgerpod where it can make it, through the code that makes the same
 * change everywhere else: a payment the books hold is written to ConnectWise by payments-back (its
 * claim in the payments table makes it once, however often this is asked), a credit applied in
 * ConnectWise only is applied in the books by credit-application (claimed once per pair). The record
 * is checked afresh first, so a fix acts on what both systems hold now, and again after.
 */
export async function fixDifference(
  deps: RecordJobDeps,
  record: RecordRow,
  wanted: { code: string; ref: string },
  actor: string,
): Promise<{ fixed: boolean; differences: Difference[] }> {
  const before = await checkRecord(deps, record);
  if (!before) throw notCheckable(record);
  const difference = before.differences.find(
    (d) => d.code === wanted.code && d.fix?.action && d.fix.ref === wanted.ref,
  );
  // Gone since the pod showed it (fixed by a sweep, or by this same request sent twice).
  if (!difference) return { fixed: false, differences: before.differences };
  const tenant = (await deps.tenants.get(record.tenant_id))!;
  // `made`: this request made the change (one of two at once finds it made by the other).
  let made = false;
  if (difference.fix?.action === 'write_payment') {
    const payment = before.ledgerState.payments.find((p) => p.id === wanted.ref);
    const found = await paymentsDepsFor(deps, { tenantId: tenant.id, connectionId: record.connection_id! });
    if (!payment || !found) return { fixed: false, differences: before.differences };
    made = (await writeLedgerPayments(found.back, [payment])).written > 0;
  } else if (difference.fix?.action === 'apply_credit') {
    const application = await creditOf(deps, before, wanted.ref);
    if (!application) return { fixed: false, differences: before.differences };
    made = (await applyCredit(deps, tenant, application, actor)) === 'applied';
  }
  if (made)
    await deps.records.note(record, actor, 'difference_fixed', {
      code: difference.code,
      cause: difference.cause,
      fix: difference.fix?.text,
    });
  const latest = (await deps.records.get({
    tenantId: record.tenant_id,
    type: record.type,
    cwId: Number(record.cw_id),
  }))!;
  const after = await checkRecord(deps, latest);
  return { fixed: made, differences: after?.differences ?? [] };
}

/** The CW application of the credit memo numbered `number` on this invoice. */
async function creditOf(
  deps: RecordJobDeps,
  check: NonNullable<Awaited<ReturnType<typeof checkRecord>>>,
  number: string,
) {
  for (const application of cwCreditApplicationsIn(check.invoice, check.cwRows)) {
    const credit = await deps.records.get({
      tenantId: check.record.tenant_id,
      type: 'credit_memo',
      cwId: application.creditCwId,
    });
    if (credit && credit.number.toUpperCase() === number.toUpperCase()) return application;
  }
  return undefined;
}

const notCheckable = (record: RecordRow) =>
  new AppError(409, 'not_checkable', `${record.number || record.cw_id} is not synced to the books`, {
    hint: 'Differences are checked for invoices and credit memos Ledgerpod synced; sync it first.',
  });
