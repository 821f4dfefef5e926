import type { RecordRow, RecordState } from '../../server/db/schema.js';
import { RecordStore, type Transition } from '../../server/records/record-store.js';

/**
 * A record store that dies, like a killed worker, right after persisting a chosen state: the
 * state is stored, the job never hears back.
 */
export class DyingRecordStore extends RecordStore {
  constructor(
    db: ConstructorParameters<typeof RecordStore>[0],
    private readonly dieAfter: RecordState,
  ) {
    super(db);
  }

  override async transitionIf(
    record: RecordRow,
    fromStates: RecordState[] | undefined,
    change: Transition,
  ): Promise<RecordRow | undefined> {
    const next = await super.transitionIf(record, fromStates, change);
    if (next && change.to === this.dieAfter) throw new Error(`worker killed after ${this.dieAfter}`);
    return next;
  }
}
