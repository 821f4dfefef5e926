import type { GlExportAdjustmentTransaction, GlExportInventoryTransfer } from '../../connectwise/schemas.js';
import type { JournalDocument, JournalLine } from '../../ledgers/ledger.js';
import { adjustmentEntryIds, transferLineEntryId } from '../../records/gl-export-parts.js';
import type { Mappings } from '../../records/mappings.js';
import { formatMinor, sumMinor, toMinor } from '../../shared/money.js';
import type { OtherProblem, OtherResult } from './mapping-result.js';
import { journalDecimals, journalRounding, type RoundingNote } from './rounding.js';

/**
 * An inventory adjustment as a journal. Each CW line is signed by units: stock added has a positive
 * total (debit the inventory account, credit the adjustment account), stock removed a negative one
 * (the mirror). So every line gives a debit and a credit of equal size and the journal balances to
 * zero by construction; it is checked anyway.
 */
export function adjustmentJournalFromGl(
  adjustment: GlExportAdjustmentTransaction,
  options: JournalOptions,
): OtherResult<JournalDocument> {
  const problems: OtherProblem[] = [];
  const detail = adjustment.adjustmentDetail ?? [];
  const cwAmounts = detail.map((entry) => entry.total);
  const places = journalDecimals(cwAmounts, options.decimals, options.ledgerDecimals);
  const decimals = places.booked;
  if (options.description.includes("'"))
    problems.push({
      code: 'invalid_batch_character',
      detail: `inventory adjustment ${options.number}: its description contains '`,
    });
  if (detail.length === 0)
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  else if (adjustmentEntryIds(adjustment).length < detail.length)
    problems.push({ code: 'adjustment_entries_unknown', detail: options.number });
  const account = (cwAccount: string | undefined, what: string) => {
    const key = options.mappings.get('gl_account', cwAccount ?? '');
    if (!key)
      problems.push({
        code: 'gl_account_unmapped',
        detail: `GL account "${cwAccount ?? ''}" (${what})`,
        unmapped: { kind: 'gl_account', cwKey: cwAccount ?? '' },
      });
    return key ?? '';
  };
  const lines: JournalLine[] = [];
  for (const entry of detail) {
    const amountMinor = toMinor(entry.total ?? 0, decimals);
    if (amountMinor === 0n) continue;
    const description = [entry.item?.identifier, entry.description].filter(Boolean).join(' ');
    const inventory = entry.inventoryAccountNumber || entry.productAccountNumber;
    const offset = entry.accountNumber || adjustment.accountNumber;
    lines.push(
      { description, amountMinor, accountKey: account(inventory, 'inventory'), classKey: undefined },
      {
        description,
        amountMinor: -amountMinor,
        accountKey: account(offset, 'adjustment'),
        classKey: undefined,
      },
    );
  }
  return balancedJournal(
    problems,
    lines,
    detail.length > 0,
    {
      number: options.number,
      date: (adjustment.documentDate ?? '').slice(0, 10),
      currency: options.currency,
      decimals,
      memo: options.description || adjustment.adjustmentDescription || undefined,
    },
    // Each CW line is a debit and a credit of its size (see above).
    journalRounding(
      options.currency,
      cwAmounts.map((a) => Math.abs(a ?? 0)),
      places,
      lines,
    ),
  );
}

/** How an inventory journal is mapped: its currency as CW states it, and the books' precision. */
export interface JournalOptions {
  mappings: Mappings;
  number: string;
  currency: string;
  /** CW's numberOfDecimals for the currency. */
  decimals: number;
  description: string;
  /** The precision the books keep for this currency (bookingOptionsFor); unset, CW's figures are kept. */
  ledgerDecimals?: number;
}

/**
 * The journal of mapped lines, or why not: the problems met mapping them, a journal whose lines do
 * not net to zero, or one left without lines although CW listed some. Pure.
 */
function balancedJournal(
  problems: OtherProblem[],
  lines: JournalLine[],
  listedAny: boolean,
  head: Omit<JournalDocument, 'type' | 'lines'>,
  rounding?: RoundingNote,
): OtherResult<JournalDocument> {
  const net = sumMinor(lines.map((l) => l.amountMinor));
  if (net !== 0n)
    problems.push({
      code: 'out_of_balance',
      detail: `${head.number}: the journal is off by ${formatMinor(net, head.decimals)}`,
    });
  if (listedAny && lines.length === 0) problems.push({ code: 'zero_total', detail: head.number });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, document: { type: 'journal', ...head, lines }, ...(rounding ? { rounding } : {}) };
}

/**
 * An inventory transfer (stock moved between warehouses, each warehouse with its own inventory
 * account) as a journal: per transferred item, its entry on the line's account (`accountNumber`,
 * else `inventoryAccountNumber`) and its offset on the offset's account, each signed as CW sends it
 * (debits positive). An offset without a total is taken as the mirror of its line. The journal must
 * balance; CW's sign of a transfer line is not documented (see glExportInventoryTransferSchema), so
 * an export that does not is refused, never booked.
 */
export function transferJournalFromGl(
  lines: GlExportInventoryTransfer[],
  options: JournalOptions,
): OtherResult<JournalDocument> {
  const problems: OtherProblem[] = [];
  // The line and its offset, the offset without a total being the line's mirror (as below).
  const cwAmounts = lines.flatMap((line) => [line.total ?? 0, line.offset?.total ?? -(line.total ?? 0)]);
  const places = journalDecimals(cwAmounts, options.decimals, options.ledgerDecimals);
  const decimals = places.booked;
  if (lines.length === 0)
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  else if (lines.some((line) => transferLineEntryId(line) === undefined || line.offset?.id == null))
    problems.push({ code: 'transfer_entries_unknown', detail: options.number });
  const account = (cwAccount: string | undefined, what: string) => {
    const key = options.mappings.get('gl_account', cwAccount ?? '');
    if (!key)
      problems.push({
        code: 'gl_account_unmapped',
        detail: `GL account "${cwAccount ?? ''}" (${what})`,
        unmapped: { kind: 'gl_account', cwKey: cwAccount ?? '' },
      });
    return key ?? '';
  };
  const journal: JournalLine[] = [];
  for (const line of lines) {
    const amountMinor = toMinor(line.total ?? 0, decimals);
    const offsetMinor = line.offset?.total == null ? -amountMinor : toMinor(line.offset.total, decimals);
    if (amountMinor === 0n && offsetMinor === 0n) continue;
    const description = [line.item?.identifier, line.itemDescription || line.description]
      .filter(Boolean)
      .join(' ');
    journal.push(
      {
        description,
        amountMinor,
        accountKey: account(line.accountNumber || line.inventoryAccountNumber, 'transfer to'),
        classKey: undefined,
      },
      {
        description,
        amountMinor: offsetMinor,
        accountKey: account(line.offset?.accountNumber, 'transfer from'),
        classKey: undefined,
      },
    );
  }
  return balancedJournal(
    problems,
    journal,
    lines.length > 0,
    {
      number: options.number,
      date: (lines[0]?.documentDate ?? '').slice(0, 10),
      currency: options.currency,
      decimals,
      memo: options.description || lines[0]?.memo || undefined,
    },
    journalRounding(options.currency, cwAmounts, places, journal),
  );
}
