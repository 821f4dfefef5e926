import type { RecordDetail } from '../api/types.js';
import { ledgerShortNames } from '../ui/ledger-names.js';
import { formatMoney, sameAmount } from '../ui/money.js';

/** ConnectWise's figures beside the books'; a difference is marked in colour *and* words. */
export function Amounts({ detail }: { detail: RecordDetail }) {
  const { record, ledger } = detail;
  const money = (amount: string) => formatMoney(amount, record.currency);
  const row = (label: string, cw: string, books: string | undefined) => {
    const mismatch = books !== undefined && !sameAmount(cw, books);
    return (
      <tr class={mismatch ? 'mismatch' : undefined} data-testid={`amount-${label.toLowerCase()}`}>
        <th scope="row">{label}</th>
        <td class="num">{money(cw)}</td>
        <td class="num">
          {books === undefined ? '—' : money(books)}
          {mismatch && <span class="mismatch-note"> differs</span>}
        </td>
      </tr>
    );
  };
  const table = (
    <table class="amounts">
      <thead>
        <tr>
          <td />
          <th scope="col" class="num">
            ConnectWise
          </th>
          <th scope="col" class="num">
            {ledger ? ledgerShortNames[ledger.kind] : 'Books'}
          </th>
        </tr>
      </thead>
      <tbody>
        {/* A books figure not read yet (null) shows as none, like no books document. */}
        {row('Total', record.total, ledger?.total ?? undefined)}
        {row('Balance', record.balance, ledger?.balance ?? undefined)}
      </tbody>
    </table>
  );
  // Rounding is never silent: the server says what was booked against what ConnectWise shows.
  return detail.rounding ? (
    <>
      {table}
      <p class="rounding-note" data-testid="rounding-note">
        {detail.rounding.message[0]?.toUpperCase()}
        {detail.rounding.message.slice(1)}.
      </p>
    </>
  ) : (
    table
  );
}
