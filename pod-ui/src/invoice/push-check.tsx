import type { DocumentPreview, PushCheck } from '../api/types.js';
import { ledgerNames } from '../ui/ledger-names.js';
import { formatMoney } from '../ui/money.js';
import { ProblemBox } from '../ui/problem-box.js';

const documentNames: Record<DocumentPreview['type'], string> = {
  invoice: 'invoice',
  credit_memo: 'credit memo',
  bill: 'bill',
  journal: 'journal entry',
};

/** The check ConnectWise's Save asked for: what would stop the push, or the document it will create. */
export function PushCheckView({ check }: { check: PushCheck }) {
  if (check.posted) return null;
  const doc = check.document;
  return (
    <div class="push-check" data-testid="push-check" role="status">
      {check.problems.length > 0 ? (
        <>
          <p class="push-check-title">Would not sync yet, as ConnectWise holds it now:</p>
          {check.problems.map((problem) => (
            <ProblemBox key={problem.code} problem={problem} testId="check-problem" />
          ))}
        </>
      ) : (
        <p class="push-check-title">Nothing stops this record from syncing.</p>
      )}
      {doc && (
        <p data-testid="check-document">
          Will create {ledgerNames[doc.ledger]} {documentNames[doc.type]} {doc.number} for {doc.party}:{' '}
          {formatMoney(doc.total, doc.currency)}
          {doc.tax !== '0' && !/^0\.0*$/.test(doc.tax) ? `, tax ${formatMoney(doc.tax, doc.currency)}` : ''},{' '}
          {doc.lines} {doc.lines === 1 ? 'line' : 'lines'}.
        </p>
      )}
    </div>
  );
}
