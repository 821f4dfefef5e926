import type { Option } from '../api/admin-types.js';

/** The `<option>`s of a picker of the books' entries: a disabled prompt, then each entry. */
export function LedgerOptions({ options, prompt }: { options: Option[]; prompt: string }) {
  return (
    <>
      <option value="" disabled>
        {prompt}
      </option>
      {options.map((o) => (
        <option key={o.key} value={o.key}>
          {o.name}
          {o.detail ? ` (${o.detail})` : ''}
        </option>
      ))}
    </>
  );
}
