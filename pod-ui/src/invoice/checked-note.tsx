import { useEffect, useState } from 'preact/hooks';
import type { RecordDetail } from '../api/types.js';
import { formatDateTime } from '../ui/dates.js';

const ago = (ms: number) => {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
};

/**
 * "Checked N min ago": how old the figures above are. The older of ConnectWise's read and the
 * books', since the comparison is only as fresh as its staler side; the tooltip gives both.
 */
export function CheckedNote({ detail, ledgerName }: { detail: RecordDetail; ledgerName: string }) {
  const [now, setNow] = useState(Date.now());
  // The pod stays open on a screen for long: the wording ages with it.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const { connectWise, books } = detail.checked;
  const times = [connectWise, detail.ledger ? books : null]
    .filter((t): t is string => !!t)
    .map((t) => new Date(t).getTime());
  if (times.length === 0) return null;
  const oldest = Math.min(...times);
  const title = [
    connectWise && `ConnectWise read ${formatDateTime(connectWise)}`,
    detail.ledger && books && `${ledgerName} read ${formatDateTime(books)}`,
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <p class="muted checked-note" data-testid="checked" title={title}>
      Checked {ago(Math.max(0, now - oldest))}
    </p>
  );
}
