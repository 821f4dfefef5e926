import type {
  Connection,
  Mapping,
  OnboardingProgress,
  Settings,
} from '../../../pod-ui/src/api/admin-types.js';
import type { LedgerKind, RecordEvent, RecordState } from '../../../pod-ui/src/api/types.js';
import { type StoredRecord, seedRecords } from './seed.js';

/** How long each job step takes; long enough that a browser sees `queued` before `synced`. */
export const STEP_MS = 400;

function seedConnections(): Connection[] {
  return [
    {
      id: 'c-qbo',
      kind: 'qbo',
      name: 'Acme Books (QuickBooks)',
      externalId: '9130',
      status: 'active',
      statusReason: null,
      cwLocationIds: [1],
      isDefault: true,
    },
  ];
}

export function createStore() {
  let records = seedRecords();
  let connections = seedConnections();
  let mappings: Mapping[] = [];
  let settings: Settings = {
    roleMap: { Admin: 'admin', Finance: 'accountant', Technician: 'viewer', Sales: 'none' },
    syncOnClose: true,
    sweepMinutes: 5,
    batchPrefix: 'LP-',
    roundingLimit: '0.05',
  };
  const runs = new Map<string, OnboardingProgress>();
  const log: (RecordEvent & { record: string })[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const move = (r: StoredRecord, to: RecordState, kind: string, detail = '') => {
    const event = {
      at: new Date().toISOString(),
      actor: 'ledgerpod',
      kind,
      fromState: r.state,
      toState: to,
      detail,
    };
    r.events.unshift(event);
    log.unshift({ ...event, record: `${r.record.type}:${r.record.cwId}` });
    r.state = to;
  };

  /** queued -> exported -> pushed -> synced (or error while `failWith` is set). */
  const push = (r: StoredRecord) => {
    r.error = null;
    move(r, 'queued', 'sync_requested');
    later(STEP_MS, () => move(r, 'exported', 'batch_exported'));
    later(STEP_MS * 2, () => move(r, 'pushed', 'ledger_write'));
    later(STEP_MS * 3, () => {
      if (r.failWith) {
        r.error = { ...r.failWith, retryable: true };
        return move(r, 'error', 'push_failed', r.failWith.message);
      }
      const n = String(r.record.cwId);
      r.ledger = {
        kind: 'qbo',
        id: `t${n}`,
        number: r.record.number.replace(/^\D+/, ''),
        url: `https://app.qbo.intuit.com/app/invoice?txnId=t${n}`,
        total: r.record.total,
        balance: r.record.balance,
        status: 'Open',
      };
      r.cw.batch = { id: 100 + Number(n), identifier: `${settings.batchPrefix}${n}` };
      move(r, 'synced', 'ledger_written');
    });
  };

  const reset = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    records = seedRecords();
    connections = seedConnections();
    mappings = [];
    runs.clear();
    log.length = 0;
  };

  return {
    get records() {
      return records;
    },
    get connections() {
      return connections;
    },
    set connections(next: Connection[]) {
      connections = next;
    },
    get mappings() {
      return mappings;
    },
    get settings() {
      return settings;
    },
    set settings(next: Settings) {
      settings = next;
    },
    runs,
    log,
    later,
    push,
    move,
    reset,
    /** What a user's fix (a mapping added) does: the next push succeeds. */
    fix(key: string) {
      const r = records.get(key);
      if (r) r.failWith = undefined;
    },
    connect(kind: LedgerKind) {
      connections = connections.filter((c) => c.kind !== kind);
      connections.push({
        id: `c-${kind}`,
        kind,
        name: kind === 'xero' ? 'Acme Ltd (Xero)' : 'Acme Books (QuickBooks)',
        externalId: kind === 'xero' ? 'x-1' : '9130',
        status: 'active',
        statusReason: null,
        cwLocationIds: [],
        isDefault: false,
      });
    },
  };
}

export type Store = ReturnType<typeof createStore>;
