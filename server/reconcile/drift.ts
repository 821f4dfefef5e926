import type { DifferenceCode, Fix } from '../../contract/differences.js';
import { absMinor, formatMinor } from '../shared/money.js';

/**
 * The drift check of one synced record (issue 16 item 1, issue 14 item 4): ConnectWise's view of it
 * against the books', as a list of differences, each with a code, its cause in one plain sentence
 * and, where one exists, its fix. Pure: the sides are read (and amounts brought to ConnectWise's
 * precision) by check-record.ts. An empty list means both systems agree.
 */

export interface CwPaymentSide {
  cwPaymentId: number;
  amountMinor: bigint;
  date: string;
}

export interface CreditSide {
  /** The credit memo's number (ConnectWise's identifier, the books' document number). */
  number: string;
  amountMinor: bigint;
  date: string;
}

export interface CwSide {
  number: string;
  totalMinor: bigint;
  taxMinor: bigint;
  balanceMinor: bigint;
  status: string;
  /** Money payments (credit memo applications are `credits`). */
  payments: CwPaymentSide[];
  credits: CreditSide[];
  /** A credit memo's: the invoices ConnectWise applied it to (`number` is the invoice's). */
  appliedTo: CreditSide[];
}

export interface LedgerPaymentSide {
  id: string;
  amountMinor: bigint;
  date: string;
}

export interface LedgerSide {
  /** "QuickBooks" or "Xero", for the sentences. */
  name: string;
  /** Undefined: the books no longer hold the document. */
  document:
    | {
        number: string;
        totalMinor: bigint;
        taxMinor: bigint;
        balanceMinor: bigint;
        status: 'open' | 'paid' | 'partly_paid' | 'voided' | 'deleted' | 'draft';
      }
    | undefined;
  payments: LedgerPaymentSide[];
  credits: CreditSide[];
  /** A credit memo's: the invoices the books applied it to; undefined where the books do not say. */
  appliedTo: CreditSide[] | undefined;
  /** Other documents in the books with our number. */
  sameNumber: { number: string; totalMinor: bigint }[];
}

/** What Ledgerpod knows of each ledger payment it took to ConnectWise (the payments table). */
export interface WrittenPayment {
  ledgerPaymentId: string;
  state: 'pending' | 'written' | 'deleted' | 'voided' | 'error';
  cwPaymentId: number | null;
}

export interface DriftInput {
  kind: 'invoice' | 'credit_memo';
  currency: string;
  /** ConnectWise's decimals for the record: every amount here is in them. */
  decimals: number;
  cw: CwSide;
  ledger: LedgerSide;
  written: WrittenPayment[];
  /** The books hold the total rounded on purpose (rounding.ts): booked - ConnectWise. */
  bookedDifferenceMinor: bigint;
  /**
   * The total the books answered when Ledgerpod last wrote the document (its push, or a
   * correction's), in CW's decimals; undefined for documents written before it was kept.
   */
  bookedTotalMinor: bigint | undefined;
  /** Credit memo numbers Ledgerpod pushed to the same books, so a credit can be applied there. */
  ourCredits: Set<string>;
}

// The codes and fixes are the API's (the pod shows them): declared once in the contract.
export type { DifferenceCode, Fix } from '../../contract/differences.js';

export interface Difference {
  code: DifferenceCode;
  cause: string;
  fix: Fix | undefined;
  /** ConnectWise's and the books' figure, where the difference is an amount. */
  cwMinor?: string;
  ledgerMinor?: string;
}

export function compareRecord(input: DriftInput): Difference[] {
  const { cw, ledger } = input;
  const money = (minor: bigint) => `${formatMinor(minor, input.decimals)} ${input.currency}`;
  const what = input.kind === 'invoice' ? 'invoice' : 'credit memo';
  const books = ledger.name;
  const out: Difference[] = [];

  for (const other of ledger.sameNumber) {
    out.push({
      code: 'foreign_document',
      cause: `${books} holds another ${what} numbered ${other.number} (${money(other.totalMinor)}) that Ledgerpod did not create.`,
      fix: {
        text: `If it is a duplicate keyed in by hand, delete it in ${books}; otherwise renumber it there so ${cw.number} stays unique.`,
      },
    });
  }

  const doc = ledger.document;
  if (!doc || doc.status === 'deleted') {
    out.push({
      code: 'deleted_in_books',
      cause: `${cw.number} was deleted in ${books} after it synced; ConnectWise still has it.`,
      fix: { text: `Reverse ${cw.number} in the pod and sync it again, so ${books} has it back.` },
    });
    return out;
  }
  if (doc.status === 'voided') {
    out.push({
      code: 'voided_in_books',
      cause: `${cw.number} was voided in ${books} after it synced; ConnectWise still shows ${money(cw.totalMinor)}.`,
      fix: {
        text: `If the ${what} should not stand, credit or void it in ConnectWise too; otherwise reverse it in the pod and sync it again.`,
      },
    });
    return out;
  }

  const expectedTotal = cw.totalMinor + input.bookedDifferenceMinor;
  const totalsApart = doc.totalMinor !== cw.totalMinor && doc.totalMinor !== expectedTotal;
  // The books still hold what Ledgerpod wrote, so ConnectWise is the side that changed.
  const editedInCw = totalsApart && input.bookedTotalMinor === doc.totalMinor;
  if (editedInCw) {
    out.push({
      code: 'total_edited_in_cw',
      cause: `${cw.number} was changed in ConnectWise after it synced: its total there is ${money(cw.totalMinor)}, ${books} still holds ${money(doc.totalMinor)}.`,
      fix: {
        text:
          input.kind === 'invoice'
            ? `Correct it in the books from this invoice's pod: Ledgerpod updates the same ${books} document and keeps its payments.`
            : `Reverse it in the pod and sync it again: Ledgerpod updates the same ${books} document.`,
      },
      cwMinor: String(cw.totalMinor),
      ledgerMinor: String(doc.totalMinor),
    });
  } else if (totalsApart) {
    out.push({
      code: 'total_edited_in_books',
      cause: `${cw.number} was edited in ${books}: its total there is ${money(doc.totalMinor)}, ConnectWise's ${money(cw.totalMinor)}.`,
      fix: {
        text: `Undo the edit in ${books}, or correct the ${what} in ConnectWise so both agree.`,
      },
      cwMinor: String(cw.totalMinor),
      ledgerMinor: String(doc.totalMinor),
    });
  }
  // Tax is compared only where the books hold CW's total exactly: a rounded total moves the tax too.
  // A total changed in ConnectWise carries its tax with it: one difference, one fix.
  if (!editedInCw && doc.taxMinor !== cw.taxMinor && input.bookedDifferenceMinor === 0n) {
    out.push({
      code: 'tax_edited_in_books',
      cause: `The tax on ${cw.number} was changed in ${books}: ${money(doc.taxMinor)} there, ${money(cw.taxMinor)} in ConnectWise.`,
      fix: { text: `Set the tax back in ${books}, or correct the tax code in ConnectWise so both agree.` },
      cwMinor: String(cw.taxMinor),
      ledgerMinor: String(doc.taxMinor),
    });
  }

  if (input.kind === 'invoice') {
    out.push(...comparePayments(input, money));
    out.push(...compareCredits(input, money));
  } else {
    out.push(...compareApplications(input, money));
  }

  // A balance apart that no difference above explains (a payment edited in one of them, say).
  const explained = out.some((d) => d.code !== 'foreign_document');
  if (
    !explained &&
    cw.balanceMinor !== doc.balanceMinor &&
    absMinor(cw.balanceMinor - doc.balanceMinor) > absMinor(input.bookedDifferenceMinor)
  ) {
    out.push({
      code: 'balance_differs',
      cause: `${cw.number} owes ${money(cw.balanceMinor)} in ConnectWise but ${money(doc.balanceMinor)} in ${books}, and no payment or credit explains it.`,
      fix: { text: `Compare the payments of ${cw.number} on both sides and correct the one that is wrong.` },
      cwMinor: String(cw.balanceMinor),
      ledgerMinor: String(doc.balanceMinor),
    });
  }
  return out;
}

function comparePayments(input: DriftInput, money: (minor: bigint) => string): Difference[] {
  const { cw, ledger } = input;
  const books = ledger.name;
  const out: Difference[] = [];
  const inCw = new Set(cw.payments.map((p) => p.cwPaymentId));
  const writtenOf = new Map(input.written.map((w) => [w.ledgerPaymentId, w]));
  const claimed = new Set(input.written.flatMap((w) => (w.cwPaymentId === null ? [] : [w.cwPaymentId])));
  const inBooks = new Set(ledger.payments.map((p) => p.id));

  for (const payment of ledger.payments) {
    const written = writtenOf.get(payment.id);
    const paid = `Paid ${money(payment.amountMinor)} in ${books} on ${payment.date}`;
    if (!written || written.state === 'pending' || written.state === 'error') {
      out.push({
        code: 'payment_missing_in_cw',
        cause: `${paid}; ConnectWise does not show the payment yet.`,
        fix: { text: 'Write the payment to ConnectWise.', action: 'write_payment', ref: payment.id },
        ledgerMinor: String(payment.amountMinor),
      });
    } else if (
      written.state === 'written' &&
      written.cwPaymentId !== null &&
      !inCw.has(written.cwPaymentId)
    ) {
      out.push({
        code: 'payment_removed_in_cw',
        cause: `${paid}; Ledgerpod wrote it to ConnectWise, where it was removed since.`,
        fix: {
          text: `Enter the payment on ${cw.number} in ConnectWise again, or delete it in ${books} if it was never received.`,
        },
        ledgerMinor: String(payment.amountMinor),
      });
    }
  }
  for (const written of input.written) {
    if (written.state !== 'written' || inBooks.has(written.ledgerPaymentId)) continue;
    if (written.cwPaymentId === null || !inCw.has(written.cwPaymentId)) continue;
    out.push({
      code: 'payment_deleted_in_books',
      cause: `A payment Ledgerpod wrote to ConnectWise is no longer on ${cw.number} in ${books}.`,
      fix: {
        text: `The next payments check takes it out of ConnectWise; if it was received, enter it in ${books} again.`,
      },
    });
  }
  for (const payment of cw.payments) {
    if (claimed.has(payment.cwPaymentId)) continue;
    out.push({
      code: 'payment_missing_in_books',
      cause: `A payment of ${money(payment.amountMinor)} on ${payment.date.slice(0, 10)} was entered in ConnectWise but is not in ${books}.`,
      fix: {
        text: `Receive it in ${books} (Ledgerpod brings payments from the books to ConnectWise, not back), then delete the one entered in ConnectWise.`,
      },
      cwMinor: String(payment.amountMinor),
    });
  }
  return out;
}

function compareCredits(input: DriftInput, money: (minor: bigint) => string): Difference[] {
  const { cw, ledger } = input;
  const books = ledger.name;
  const sum = (credits: CreditSide[]) => {
    const by = new Map<string, bigint>();
    for (const c of credits)
      by.set(c.number.toUpperCase(), (by.get(c.number.toUpperCase()) ?? 0n) + c.amountMinor);
    return by;
  };
  const cwCredits = sum(cw.credits);
  const bookCredits = sum(ledger.credits);
  const label = (key: string, list: CreditSide[]) =>
    list.find((c) => c.number.toUpperCase() === key)?.number ?? key;
  const out: Difference[] = [];
  for (const [key, amount] of bookCredits) {
    const number = label(key, ledger.credits);
    const inCw = cwCredits.get(key);
    if (inCw === undefined) {
      out.push({
        code: 'credit_only_in_books',
        cause: `Paid in ${books} by credit ${number} (${money(amount)}); ConnectWise does not show it.`,
        fix: { text: `Apply ${number} to ${cw.number} in ConnectWise.` },
        ledgerMinor: String(amount),
      });
    } else if (inCw !== amount) {
      out.push({
        code: 'credit_amount_differs',
        cause: `Credit ${number} covers ${money(amount)} of ${cw.number} in ${books} but ${money(inCw)} in ConnectWise.`,
        fix: { text: `Change the amount of ${number} applied in one of them so both agree.` },
        cwMinor: String(inCw),
        ledgerMinor: String(amount),
      });
    }
  }
  for (const [key, amount] of cwCredits) {
    if (bookCredits.has(key)) continue;
    const number = label(key, cw.credits);
    const ours = input.ourCredits.has(key);
    out.push({
      code: 'credit_only_in_cw',
      cause: `Credit ${number} (${money(amount)}) is applied to ${cw.number} in ConnectWise but not in ${books}.`,
      fix: ours
        ? { text: `Apply ${number} in ${books}.`, action: 'apply_credit', ref: number }
        : { text: `Sync ${number} to ${books} first; Ledgerpod then applies it there.` },
      cwMinor: String(amount),
    });
  }
  return out;
}

/**
 * A credit memo's side of a credit applied in one system only (issue 14 item 4: "on both records"):
 * the invoices the books applied it to against those ConnectWise did. An application only in
 * ConnectWise is Ledgerpod's to make (credit-application.ts) and its fix is on the invoice's pod.
 */
function compareApplications(input: DriftInput, money: (minor: bigint) => string): Difference[] {
  const { cw, ledger } = input;
  if (!ledger.appliedTo) return [];
  const books = ledger.name;
  const byInvoice = (list: CreditSide[]) => {
    const by = new Map<string, { number: string; amountMinor: bigint; date: string }>();
    for (const a of list) {
      const key = a.number.toUpperCase();
      const seen = by.get(key);
      by.set(key, {
        number: a.number,
        amountMinor: (seen?.amountMinor ?? 0n) + a.amountMinor,
        date: seen?.date || a.date,
      });
    }
    return by;
  };
  const inCw = byInvoice(cw.appliedTo);
  const out: Difference[] = [];
  for (const [key, applied] of byInvoice(ledger.appliedTo)) {
    const there = inCw.get(key);
    if (there === undefined) {
      out.push({
        code: 'applied_only_in_books',
        cause: `Applied in ${books} to ${applied.number} (${money(applied.amountMinor)})${applied.date ? ` on ${applied.date}` : ''}; ConnectWise does not show it.`,
        fix: { text: `Apply ${cw.number} to ${applied.number} in ConnectWise.` },
        ledgerMinor: String(applied.amountMinor),
      });
    } else if (there.amountMinor !== applied.amountMinor) {
      out.push({
        code: 'applied_amount_differs',
        cause: `${cw.number} covers ${money(applied.amountMinor)} of ${applied.number} in ${books} but ${money(there.amountMinor)} in ConnectWise.`,
        fix: { text: `Change the amount of ${cw.number} applied in one of them so both agree.` },
        cwMinor: String(there.amountMinor),
        ledgerMinor: String(applied.amountMinor),
      });
    }
  }
  return out;
}
