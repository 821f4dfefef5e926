import type { LedgerConnection, Tenant } from '../../server/db/schema.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import type { ConnectWiseState } from '../../sim/connectwise/state.js';

/** The ConnectWise simulator's state as its /__sim/state answers it (its snapshot, as JSON). */
type CwSimState = Pick<ReturnType<ConnectWiseState['snapshot']>, 'invoices' | 'batches' | 'payments'>;

import type { RecordJobDeps } from '../../server/pipeline/deps.js';
import type { MappingKind } from '../../server/records/mappings.js';
import type { RecordView } from '../../server/records/record-view.js';
import { createLogger } from '../../server/shared/log.js';
import { type BuiltInvoice, buildInvoiceWithGl } from '../../sim/connectwise/index.js';
import {
  type SimHandle,
  simConfig,
  startQboSim,
  startXeroSimHandle,
} from '../ledgers/support/ledger-worlds.js';
import { addSimTenant, api, type CwSim, post, sessionToken, startSeededConnectWise } from './cw-tenant.js';
import { insertDemoMappings, insertMappings } from './ledger-sim-wiring.js';
import { conditionMs } from './patience.js';
import { startTestPod, type TestPod } from './test-pod.js';
import { until } from './wait.js';

export interface PipelineWorld {
  cw: CwSim;
  ledgerSim: SimHandle;
  pod: TestPod;
  tenant: Tenant;
  connection: LedgerConnection;
  token: { accountant: string; admin: string; viewer: string };
  close(): Promise<void>;
  /** Adds invoices to the CW simulator (closed, with GL entries unless said otherwise). */
  seedInvoices(built: BuiltInvoice[]): Promise<void>;
  fault(target: 'cw' | 'ledger', rule: Record<string, unknown>): Promise<void>;
  /** Faults not yet met, in both simulators: empty once every injected fault has hit a call. */
  pendingFaults(): Promise<unknown[]>;
  record(cwId: number): Promise<{ status: number; body: any }>;
  waitForState(cwId: number, states: string[], timeoutMs?: number): Promise<RecordView>;
  /**
   * Waits in the database itself until the invoice record is in one of `states`, and answers the
   * state: for tests counting CW calls, since reading the status route may queue a refresh (one more
   * CW read) of its own.
   */
  waitForStateInDb(cwId: number, states: string[], timeoutMs?: number): Promise<string>;
  /** Waits until the record's view passes `check` (its state alone can run ahead of its payments). */
  waitFor(
    cwId: number,
    check: (view: RecordView) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<RecordView>;
  /** What the product's own workers hand a job, for running one in the test (e.g. to kill it midway). */
  workerDeps(): RecordJobDeps;
  cwState(): Promise<CwSimState>;
  /** Adds expenses and procurement records (purchases, adjustments) to the CW simulator. */
  seedOther(records: { expenses?: object[]; procurement?: object[] }): Promise<void>;
  /** Adds mappings of the world's ledger connection. */
  addMappings(rows: [MappingKind, string, string][]): Promise<void>;
  recordOf(type: RecordType, cwId: number): Promise<{ status: number; body: any }>;
  waitForRecord(type: RecordType, cwId: number, states: string[], timeoutMs?: number): Promise<RecordView>;
  pushRecord(type: RecordType, cwId: number): Promise<{ status: number; body: any }>;
  /** The ledger's documents of one type, in one shape for both ledgers. */
  ledgerDocuments(type: 'invoice' | 'credit_memo' | 'bill' | 'journal'): Promise<LedgerDocumentView[]>;
}

export type RecordType = 'invoice' | 'credit_memo' | 'expense' | 'procurement' | 'adjustment' | 'transfer';

export interface LedgerDocumentView {
  id: string;
  number: string;
  total: number;
  balance: number | undefined;
  /** Xero credit notes: their allocations; QBO: payments linked to the document. */
  links: unknown[];
}

/** Ledger keys for the CW GL accounts that expenses, purchases and adjustments post to. */
export const otherRecordMappings: Record<LedgerKind, [MappingKind, string, string][]> = {
  qbo: [
    ['gl_account', '6100', '7'],
    ['gl_account', '2000', '4'],
    ['gl_account', '2100', '4'],
    ['gl_account', '1400', '8'],
    ['gl_account', '5100', '6'],
    ['gl_account', '5000', '6'],
  ],
  xero: [
    ['gl_account', '6100', '429'],
    ['gl_account', '2000', '800'],
    ['gl_account', '2100', '800'],
    ['gl_account', '1400', '630'],
    ['gl_account', '5100', '310'],
    ['gl_account', '5000', '310'],
  ],
};

export const invoice = (
  id: number,
  number: string,
  extra: Partial<Parameters<typeof buildInvoiceWithGl>[0]> = {},
) =>
  buildInvoiceWithGl({
    id,
    number,
    date: '2024-05-01T00:00:00Z',
    taxRate: 8.25,
    taxCode: { id: 11, name: 'State' },
    lines: [
      { description: 'Managed services May', quantity: 1, unitPrice: 1200, accountNumber: '4000' },
      { description: 'Onsite labour', quantity: 3.5, unitPrice: 95, accountNumber: '4000' },
    ],
    ...extra,
  });

/** Polls a record's status route until its view passes `check`; a failure shows the last view. */
async function viewUntil(
  read: () => Promise<{ status: number; body: any }>,
  check: (view: RecordView) => boolean,
  what: string,
  timeoutMs = conditionMs,
): Promise<RecordView> {
  let last: unknown;
  return until(
    what,
    async () => {
      const res = await read();
      last = res.body;
      return res.status === 200 && check(res.body) ? res.body : undefined;
    },
    { timeoutMs, intervalMs: 200, detail: () => JSON.stringify(last) },
  );
}

/** ConnectWise, one ledger (QBO or Xero), and the whole product wired together over real HTTP. */
export async function startPipelineWorld(
  kind: LedgerKind,
  options: { batchPrefix?: string; env?: Record<string, string> } = {},
): Promise<PipelineWorld> {
  const cw = await startSeededConnectWise();
  const ledgerSim = kind === 'qbo' ? await startQboSim() : await startXeroSimHandle();
  const config = simConfig(
    kind === 'qbo' ? ledgerSim.url : 'http://127.0.0.1:9',
    kind === 'xero' ? ledgerSim.url : 'http://127.0.0.1:9',
    { CW_TIMEOUT_MS: '1500', LEDGER_TIMEOUT_MS: '1500', ...options.env },
  );
  const pod = await startTestPod({ config });
  const tenant = await addSimTenant(pod, cw);
  await pod.services.tenants.updateSettings(tenant.id, { batchPrefix: options.batchPrefix ?? 'LP-' });
  const connection = await pod.services.connections.save({
    tenantId: tenant.id,
    kind,
    externalId: ledgerSim.externalId,
    name: ledgerSim.label,
    tokens: await ledgerSim.grant(),
  });
  await insertDemoMappings(pod.database.db, tenant.id, connection.id, kind);
  const token = {
    accountant: await sessionToken(pod.url, cw, 'accountant'),
    admin: await sessionToken(pod.url, cw, 'admin'),
    viewer: await sessionToken(pod.url, cw, 'viewer'),
  };
  const record = (cwId: number) => api(pod.url, token.accountant, 'GET', `/api/v1/records/invoice/${cwId}`);
  const recordOf = (type: RecordType, cwId: number) =>
    api(pod.url, token.accountant, 'GET', `/api/v1/records/${type}/${cwId}`);
  return {
    cw,
    ledgerSim,
    pod,
    tenant,
    connection,
    token,
    async close() {
      await pod.close();
      await ledgerSim.close();
      await cw.close();
    },
    async seedInvoices(built) {
      await post(cw.url, '/__sim/seed', {
        // Every invoice's company is a CW company the push can read (GET /company/companies/{id}).
        companies: built.map((b) => b.invoice.company),
        invoices: built.map((b) => b.invoice),
        glTransactions: built.map((b) => b.glTransaction).filter((g) => g.detail.length > 0),
      });
    },
    async fault(target, rule) {
      await post(target === 'cw' ? cw.url : ledgerSim.url, '/__sim/faults', rule);
    },
    async pendingFaults() {
      const lists = await Promise.all(
        [cw.url, ledgerSim.url].map(
          async (url) =>
            ((await (await fetch(`${url}/__sim/faults`)).json()) as { faults: unknown[] }).faults,
        ),
      );
      return lists.flat();
    },
    record,
    waitFor: (cwId, check, what, timeoutMs) =>
      viewUntil(() => record(cwId), check, `record ${cwId} never ${what}`, timeoutMs),
    waitForState: (cwId, states, timeoutMs) =>
      viewUntil(
        () => record(cwId),
        (v) => states.includes(v.state),
        `record ${cwId} not in ${states.join('|')}`,
        timeoutMs,
      ),
    async waitForStateInDb(cwId, states, timeoutMs) {
      let last: string | undefined;
      return until(
        `record ${cwId} in ${states.join('|')} in the database`,
        async () => {
          const row = await pod.database.db
            .selectFrom('records')
            .select('state')
            .where('tenant_id', '=', tenant.id)
            .where('cw_id', '=', String(cwId))
            .executeTakeFirst();
          last = row?.state;
          return row && states.includes(row.state) ? row.state : undefined;
        },
        { timeoutMs, detail: () => `still ${last}` },
      );
    },
    seedOther: async (records) => {
      await post(cw.url, '/__sim/seed', records);
    },
    async addMappings(rows) {
      await insertMappings(pod.database.db, tenant.id, connection.id, rows);
    },
    recordOf,
    waitForRecord: (type, cwId, states, timeoutMs) =>
      viewUntil(
        () => recordOf(type, cwId),
        (v) => states.includes(v.state),
        `${type} ${cwId} not in ${states.join('|')}`,
        timeoutMs,
      ),
    pushRecord: (type, cwId) =>
      api(pod.url, token.accountant, 'POST', `/api/v1/records/${type}/${cwId}/sync`),
    async ledgerDocuments(type) {
      const state = (await ledgerSim.control('GET', '/__sim/state')) as any;
      if (kind === 'qbo') {
        const realm = Object.values(state.realms)[0] as Record<string, any[]>;
        const entity = {
          invoice: 'Invoice',
          credit_memo: 'CreditMemo',
          bill: 'Bill',
          journal: 'JournalEntry',
        }[type];
        const payments = realm.Payment ?? [];
        return (realm[entity] ?? []).map((d) => ({
          id: String(d.Id),
          number: String(d.DocNumber ?? ''),
          // A JournalEntry has no TotalAmt: its debit lines are its total.
          total:
            type === 'journal'
              ? (d.Line ?? [])
                  .filter((l: any) => l.JournalEntryLineDetail?.PostingType === 'Debit')
                  .reduce((sum: number, l: any) => sum + Number(l.Amount), 0)
              : Number(d.TotalAmt),
          balance: d.Balance === undefined ? undefined : Number(d.Balance),
          links: payments.filter((p) =>
            (p.Line ?? []).some((l: any) => (l.LinkedTxn ?? []).some((t: any) => t.TxnId === d.Id)),
          ),
        }));
      }
      const books = Object.values(state.tenants)[0] as Record<string, any[]>;
      if (type === 'journal')
        return (books.ManualJournals ?? []).map((j) => ({
          id: String(j.ManualJournalID),
          number: String(j.Narration).split(': ')[0]!,
          total: (j.JournalLines ?? []).reduce((sum: number, l: any) => sum + Math.max(0, l.LineAmount), 0),
          balance: undefined,
          links: [],
        }));
      if (type === 'credit_memo')
        return (books.CreditNotes ?? []).map((c) => ({
          id: String(c.CreditNoteID),
          number: String(c.CreditNoteNumber),
          total: Number(c.Total),
          balance: Number(c.RemainingCredit),
          links: c.Allocations ?? [],
        }));
      return (books.Invoices ?? [])
        .filter((i) => i.Type === (type === 'bill' ? 'ACCPAY' : 'ACCREC'))
        .map((i) => ({
          id: String(i.InvoiceID),
          number: String(i.InvoiceNumber),
          total: Number(i.Total),
          balance: Number(i.AmountDue),
          links: [...(i.Payments ?? []), ...(i.CreditNotes ?? [])],
        }));
    },
    workerDeps: () => ({
      db: pod.database.db,
      jobs: pod.jobs!,
      logger: createLogger('silent'),
      records: pod.services.records,
      tenants: pod.services.tenants,
      connectWise: pod.services.connectWise,
      connections: pod.services.connections,
      ledgers: pod.services.ledgers,
    }),
    async cwState() {
      return (await (await fetch(`${cw.url}/__sim/state`)).json()) as CwSimState;
    },
  };
}
