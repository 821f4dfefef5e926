import type { Problem } from '../api/types.js';
import { localDates } from './dates.js';
import { isExpiredSession } from './session-expired.js';

/**
 * The server keeps a message without its full stop (error-catalogue.ts: a ledger's own sentence is
 * cut at its first one); shown alone it still reads as a sentence.
 */
export const asSentence = (text: string) => (/[.!?…]$/.test(text.trimEnd()) ? text : `${text.trimEnd()}.`);

/** An error as users need it: what went wrong and what to do about it. */
export function ProblemBox({
  problem,
  testId,
  title,
}: {
  problem: Problem;
  testId?: string;
  title?: string;
}) {
  return (
    <div class="problem" role="alert" data-testid={testId} data-code={problem.code}>
      <p class="problem-message">
        {title && <strong>{title} </strong>}
        {asSentence(localDates(problem.message))}
      </p>
      {problem.hint && <p class="problem-hint">{localDates(problem.hint)}</p>}
      {/* A new sign-in is a fresh start of the pod: the handshake asks ConnectWise for the member again. */}
      {isExpiredSession(problem.code) && (
        <button type="button" class="btn" data-testid="sign-in-again" onClick={() => location.reload()}>
          Sign in again
        </button>
      )}
    </div>
  );
}
