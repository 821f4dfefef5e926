import { amountMinor, amountNumber } from './amounts.js';
import { faults } from './qbo-fault.js';
import type { Entity, Realm } from './realm-store.js';
import { decimalsOf, requireRef } from './transaction-rules.js';

type LinkedTxn = { TxnId: string; TxnType: string };
type PaymentLine = { Amount?: unknown; LinkedTxn?: LinkedTxn[] };

const applicable = new Set(['Invoice', 'CreditMemo']);

/** Checks a payment's links and fills TotalAmt / UnappliedAmt. Balances move in recomputeBalances. */
export function applyPaymentRules(realm: Realm, payment: Entity): void {
  const customer = requireRef(realm, 'Customer', payment.CustomerRef, 'CustomerRef');
  const decimals = decimalsOf(payment);
  let applied = 0n;
  for (const line of (payment.Line ?? []) as PaymentLine[]) {
    const amount = amountMinor(line.Amount, decimals);
    if (amount < 0n) throw faults.validation('Payment line amounts must not be negative', 'Line.Amount');
    for (const link of line.LinkedTxn ?? []) {
      if (!applicable.has(link.TxnType))
        throw faults.validation(`A payment cannot be linked to a ${link.TxnType}`, 'LinkedTxn.TxnType');
      const target = realm.find(link.TxnType as 'Invoice', link.TxnId);
      if (!target) throw faults.invalidReference('LinkedTxn', link.TxnId);
      if ((target.CustomerRef as { value?: string })?.value !== customer?.Id)
        throw faults.validation('The linked transaction belongs to another customer', 'LinkedTxn');
      applied += link.TxnType === 'Invoice' ? amount : -amount;
    }
  }
  const total = payment.TotalAmt === undefined ? applied : amountMinor(payment.TotalAmt, decimals);
  if (total < applied || total < 0n)
    throw faults.validation('The payment amount must be at least the amount applied to invoices', 'TotalAmt');
  payment.TotalAmt = amountNumber(total, decimals);
  payment.UnappliedAmt = amountNumber(total - applied, decimals);
}

/**
 * Recomputes every invoice and credit memo balance from the live payments. Throws (and the caller
 * keeps the old state) when a payment would take a balance below zero. Returns entities whose
 * balance changed, so the caller can bump their SyncToken as QBO does.
 */
export function recomputeBalances(realm: Realm, now: string, writing?: Entity): Entity[] {
  const appliedTo = new Map<string, { amount: bigint; payments: string[] }>();
  for (const payment of realm.all('Payment')) {
    const decimals = decimalsOf(payment);
    for (const line of (payment.Line ?? []) as PaymentLine[]) {
      for (const link of line.LinkedTxn ?? []) {
        const key = `${link.TxnType}:${link.TxnId}`;
        const entry = appliedTo.get(key) ?? { amount: 0n, payments: [] };
        entry.amount += amountMinor(line.Amount, decimals);
        entry.payments.push(payment.Id);
        appliedTo.set(key, entry);
      }
    }
  }
  const updates: { doc: Entity; type: string; balance: number; payments: string[] }[] = [];
  for (const type of ['Invoice', 'CreditMemo'] as const) {
    for (const doc of realm.all(type)) {
      const decimals = decimalsOf(doc);
      const entry = appliedTo.get(`${type}:${doc.Id}`);
      const balance = amountMinor(doc.TotalAmt, decimals) - (entry?.amount ?? 0n);
      if (balance < 0n)
        throw faults.validation(
          `The amount applied exceeds the open balance of ${type} ${String(doc.DocNumber ?? doc.Id)}`,
          'Line.Amount',
        );
      const next = amountNumber(balance, decimals);
      if (next !== doc.Balance) updates.push({ doc, type, balance: next, payments: entry?.payments ?? [] });
    }
  }
  // Only after every balance checked out: apply, so a refused payment leaves nothing half-done.
  for (const { doc, type, balance, payments } of updates) {
    doc.Balance = balance;
    if (type === 'CreditMemo') doc.RemainingCredit = balance;
    doc.LinkedTxn = [...new Set(payments)].map((id) => ({ TxnId: id, TxnType: 'Payment' }));
    if (doc === writing) continue;
    doc.SyncToken = String(Number(doc.SyncToken) + 1);
    doc.MetaData = { ...doc.MetaData, LastUpdatedTime: now };
  }
  return updates.map((u) => u.doc).filter((doc) => doc !== writing);
}
