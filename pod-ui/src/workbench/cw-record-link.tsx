import type { RecordType } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { cwScreens } from './record-kinds.js';

/** A record's number that opens its own ConnectWise screen, where most fixes are made. */
export function CwRecordLink({
  type,
  cwId,
  number,
}: {
  type: RecordType;
  cwId: string | number;
  number: string;
}) {
  const { hosted } = usePod();
  return (
    <button
      type="button"
      class="btn-link"
      title="Open in ConnectWise"
      onClick={() => hosted.openScreen(cwScreens[type], cwId)}
    >
      {number}
    </button>
  );
}
