import type { EvidenceRow } from '../close/period-evidence.js';
import { escapeHtml } from './escape-html.js';

/**
 * The evidence of a period as CSV (RFC 4180: every field quoted, inner quotes doubled, CRLF after
 * every row) and as a printable page, with one column order for both. Pure.
 */
export const evidenceColumns: { key: keyof EvidenceRow; title: string }[] = [
  { key: 'type', title: 'Type' },
  { key: 'cwId', title: 'CW id' },
  { key: 'number', title: 'Number' },
  { key: 'date', title: 'Date' },
  { key: 'company', title: 'Company' },
  { key: 'state', title: 'State' },
  { key: 'currency', title: 'Currency' },
  { key: 'cwTotal', title: 'CW total' },
  { key: 'cwTax', title: 'CW tax' },
  { key: 'ledgerKind', title: 'Ledger' },
  { key: 'ledgerId', title: 'Ledger document id' },
  { key: 'ledgerNumber', title: 'Ledger document number' },
  { key: 'ledgerTotal', title: 'Ledger total' },
  { key: 'ledgerBalance', title: 'Ledger balance' },
  { key: 'cwBatchId', title: 'CW batch id' },
  { key: 'cwBatchIdentifier', title: 'CW batch identifier' },
  { key: 'differences', title: 'Differences' },
  { key: 'auditTrail', title: 'Audit trail' },
];

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const amount = /^-?\d+(\.\d+)?$/;

/** One CSV field; text a spreadsheet would run as a formula (=, +, -, @) is defused with a quote. */
export function csvField(value: unknown): string {
  let field = text(value);
  if (/^[=+\-@\t\r]/.test(field) && !amount.test(field)) field = `'${field}`;
  return `"${field.replaceAll('"', '""')}"`;
}

export const csvHeader = () => `${evidenceColumns.map((c) => csvField(c.title)).join(',')}\r\n`;
export const csvRows = (rows: EvidenceRow[]) =>
  rows.map((row) => `${evidenceColumns.map((c) => csvField(row[c.key])).join(',')}\r\n`).join('');

const escapeValue = (value: unknown) => escapeHtml(text(value));

/** The printable page's head: title, period, who made it and when, print CSS (landscape, repeated header). */
export function htmlHead(period: { from: string; to: string }, madeBy: string, madeAt: Date): string {
  const title = `Ledgerpod evidence, ${period.from} to ${period.to}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;margin:16px;color:#111}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#eee}
td.num{text-align:right;white-space:nowrap}
thead{display:table-header-group}
tr{break-inside:avoid}
@media print{@page{size:landscape;margin:10mm}body{margin:0}}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Every ConnectWise record dated in the period that Ledgerpod knows, once each. Made by ${escapeHtml(madeBy)} at ${escapeHtml(madeAt.toISOString())}.</p>
<table><thead><tr>${evidenceColumns.map((c) => `<th scope="col">${escapeHtml(c.title)}</th>`).join('')}</tr></thead><tbody>
`;
}

const numeric = new Set<keyof EvidenceRow>(['cwTotal', 'cwTax', 'ledgerTotal', 'ledgerBalance']);
export const htmlRows = (rows: EvidenceRow[]) =>
  rows
    .map(
      (row) =>
        `<tr data-record="${escapeHtml(`${row.type}:${row.cwId}`)}">${evidenceColumns
          .map((c) => `<td${numeric.has(c.key) ? ' class="num"' : ''}>${escapeValue(row[c.key])}</td>`)
          .join('')}</tr>\n`,
    )
    .join('');

export const htmlFoot = (count: number) =>
  `</tbody></table>\n<p>${count} record${count === 1 ? '' : 's'}.</p>\n</body></html>\n`;
