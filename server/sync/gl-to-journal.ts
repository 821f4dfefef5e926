import type { GlExportAdjustmentTransaction } from '../connectwise/schemas.js';
import type { JournalDocument, JournalLine } from '../ledgers/ledger.js';
import { formatMinor, sumMinor, toMinor } from '../money.js';
import type { OtherProblem, OtherResult } from './gl-to-bill.js';
import type { Mappings } from './mappings.js';

/**
 * An adjustment's GL entry ids, which its batch must name. ConnectWise's own types
 * (GLExportAdjustmentTransactionDetail in connectwise-rest's ManageTypes) give adjustment lines no
 * `id`, and no published export shows one, so none is assumed: a line's numeric `id` is used only when
 * CW sends it, and an adjustment without one is refused (`adjustment_entries_unknown`) before anything
 * is written, never batched by guess.
 */
export const adjustmentEntryIds = (adjustment: GlExportAdjustmentTransaction): number[] =>
  (adjustment.adjustmentDetail ?? [])
    .map((line) => (line as { id?: unknown }).id)
    .filter((id): id is number => typeof id === 'number');

/**
 * An inventory adjustment as a journal. Each CW line is signed by units: stock added has a positive
 * total (debit the inventory account, credit the adjustment account), stock removed a negative one
 * (the mirror). So every line gives a debit and a credit of equal size and the journal balances to
 * zero by construction; it is checked anyway.
 */
export function adjustmentJournalFromGl(
  adjustment: GlExportAdjustmentTransaction,
  options: { mappings: Mappings; number: string; currency: string; decimals: number; description: string },
): OtherResult<JournalDocument> {
  const problems: OtherProblem[] = [];
  const { decimals } = options;
  if (options.description.includes("'"))
    problems.push({
      code: 'invalid_batch_character',
      detail: `inventory adjustment ${options.number}: its description contains '`,
    });
  const detail = adjustment.adjustmentDetail ?? [];
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
  const net = sumMinor(lines.map((l) => l.amountMinor));
  if (net !== 0n)
    problems.push({
      code: 'out_of_balance',
      detail: `${options.number}: the journal is off by ${formatMinor(net, decimals)}`,
    });
  if (detail.length > 0 && lines.length === 0) problems.push({ code: 'zero_total', detail: options.number });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    document: {
      type: 'journal',
      number: options.number,
      date: (adjustment.documentDate ?? '').slice(0, 10),
      currency: options.currency,
      decimals,
      memo: options.description || adjustment.adjustmentDescription || undefined,
      lines,
    },
  };
}
