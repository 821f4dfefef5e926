import type { PGlite } from '@electric-sql/pglite';

type Send = (data: Uint8Array) => void;

interface Unit {
  handlerId: number;
  messages: { message: Uint8Array; onData: Send }[];
  resolve(bytes: number): void;
  reject(error: unknown): void;
}

/** Extended-protocol messages that only take effect with the Sync that ends their group. */
const groupedTypes = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const syncType = 'S'.charCodeAt(0);

/**
 * Serialises many client connections onto PGlite's single session. pglite-socket's own queue runs
 * one protocol *message* at a time, so two clients' Parse/Bind/Execute sequences interleave and
 * corrupt each other ("unnamed prepared statement does not exist"). Here the unit of work is a
 * whole group up to its Sync (or a single simple-protocol message), and while a transaction is
 * open only the connection that opened it is served. Same interface as pglite-socket's queue, so
 * its connection handler can use it.
 */
export class ProtocolUnitQueue {
  private readonly pending = new Map<number, { message: Uint8Array; onData: Send }[]>();
  private queue: Unit[] = [];
  private processing = false;
  private lastHandlerId: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: Send): Promise<number> {
    const type = message[0] ?? 0;
    if (groupedTypes.has(type)) {
      // Held until its Sync arrives; the client waits for replies only after sending Sync.
      const group = this.pending.get(handlerId) ?? [];
      group.push({ message, onData });
      this.pending.set(handlerId, group);
      return Promise.resolve(0);
    }
    const messages =
      type === syncType
        ? [...(this.pending.get(handlerId) ?? []), { message, onData }]
        : [{ message, onData }];
    this.pending.delete(handlerId);
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, messages, resolve, reject });
      void this.process();
    });
  }

  private next(): Unit | undefined {
    if (this.db.isInTransaction() && this.lastHandlerId !== null) {
      const index = this.queue.findIndex((u) => u.handlerId === this.lastHandlerId);
      return index === -1 ? undefined : this.queue.splice(index, 1)[0];
    }
    return this.queue.shift();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let unit = this.next(); unit; unit = this.next()) {
        let bytes = 0;
        try {
          await this.db.runExclusive(async () => {
            for (const { message, onData } of unit!.messages) {
              await this.db.execProtocolRawStream(message, {
                onRawData: (data) => {
                  bytes += data.length;
                  onData(data);
                },
              });
            }
          });
          this.lastHandlerId = unit.handlerId;
          unit.resolve(bytes);
        } catch (error) {
          this.lastHandlerId = unit.handlerId;
          unit.reject(error);
        }
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.pending.delete(handlerId);
    const dropped = this.queue.filter((u) => u.handlerId === handlerId);
    this.queue = this.queue.filter((u) => u.handlerId !== handlerId);
    for (const unit of dropped) unit.reject(new Error('Handler disconnected'));
  }

  /** A client that vanished inside a transaction must not hold PGlite's only session. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.db.isInTransaction() && this.lastHandlerId === handlerId) {
      await this.db.exec('ROLLBACK');
      this.lastHandlerId = null;
      void this.process();
    }
  }
}
