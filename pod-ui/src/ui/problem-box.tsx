import type { Problem } from '../api/types.js';

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
        {problem.message}
      </p>
      {problem.hint && <p class="problem-hint">{problem.hint}</p>}
    </div>
  );
}
