import {
  type CompanySeed,
  type ExpenseRecord,
  type GlTransactionRecord,
  type HostedScreen,
  type InvoiceRecord,
  type MemberSeed,
  type ProcurementRecord,
  seedSchema,
} from './seed-schema.js';
import {
  type BillingStatus,
  type BillingTerm,
  defaultBillingStatuses,
  defaultBillingTerms,
  defaultLocations,
  defaultSecurityRoles,
  type Location,
  type SecurityRole,
} from './setup-tables.js';

export interface Batch {
  id: number;
  batchIdentifier: string;
  exportInvoicesFlag: boolean;
  exportExpensesFlag: boolean;
  exportProductsFlag: boolean;
  closedFlag: boolean;
  /** Which GL entries and records the batch posted, so DELETE can put exactly them back. */
  entryIds: number[];
  records: RecordKey[];
}

export type RecordKind = 'invoice' | 'expense' | 'procurement';
export interface RecordKey {
  kind: RecordKind;
  id: number;
}

/**
 * An invoice payment in CW's `Payment` shape (connectwise-rest ManageTypes: id, type, invoice, credit,
 * amount, paymentDate, appliedBy, _info). domain.md §2 names `paymentSyncStatus` and `glBatchID` on
 * the list; CW's own type has neither and nothing in the product reads them, so they are not sent.
 */
export interface Payment {
  id: number;
  type: string;
  invoice: { id: number; identifier: string };
  amount: number;
  paymentDate: string;
  appliedBy: string;
  /** Set on a credit memo applied in CW (type 'Credit Memo'): the credit memo the payment came from. */
  creditMemo?: { id: number; identifier: string };
}

export interface CallbackEntry {
  id: number;
  description: string;
  url: string;
  objectId: number;
  type: string;
  level: string;
  memberId: number | null;
  payloadVersion: string;
  inactiveFlag: boolean;
}

export interface Delivery {
  callbackId: number;
  url: string;
  action: string;
  entityId: number;
  status: number | null;
  /** How many times it was posted (CW retries after 404/409/419/429). */
  attempts?: number;
  error?: string;
}

export interface HostedSetup {
  id: number;
  screenId: number;
  description: string;
  url: string;
  type: 'Pod' | 'Tab' | 'ToolbarButton';
  origin?: string;
  podHeight?: number | null;
  clientId?: string;
  disabledFlag: boolean;
  locationIds: number[];
  [key: string]: unknown;
}

/** A member sign-in CW would hand to a pod; only hashes issued here pass cookie auth. */
export interface IssuedMemberHash {
  memberHash: string;
  memberId: string;
  companyId: string;
  /** Absent under behaviours.memberContext 'absent'. */
  memberContext?: string;
}

/** The realistic default: the screens CW has long offered, Invoice among them, PurchaseOrder not. */
export const defaultHostedScreens: HostedScreen[] = [
  { id: 1, screenId: 'Ticket', name: 'Service Ticket' },
  { id: 2, screenId: 'Company', name: 'Company' },
  { id: 3, screenId: 'Contact', name: 'Contact' },
  { id: 4, screenId: 'SalesOrder', name: 'Sales Order' },
  { id: 5, screenId: 'Opportunity', name: 'Opportunity' },
  { id: 6, screenId: 'Project', name: 'Project' },
  { id: 7, screenId: 'Invoice', name: 'Invoice' },
  { id: 8, screenId: 'Agreement', name: 'Agreement' },
];

/**
 * Where ConnectWise's real behaviour is not published (domain.md §8), one switch per unknown with
 * each plausible behaviour; the product's tests run under each. Defaults follow the nearest evidence.
 */
export interface CwBehaviours {
  /**
   * A purchase's `id` in a GL export: a real export shows "PO #COMPANYBPO, Packing Slip: COMPANYBPO"
   * (zynksoftware/Zynk-Workflow, Exporting-GL-Batches-from-ConnectWise-REST-Interface.md@46db231e58c8);
   * whether it can equal the unposted product id is not shown anywhere.
   */
  purchaseExportId: 'descriptive' | 'product-id';
  /**
   * Freight on a closed PO becomes a GL entry of its own ("Purchase Order Freight", glTypeId PF:
   * Wise-Sync, "ConnectWise GL Mapping > Purchase Order Freight"); a PO exported before it is fully
   * closed shows the freight only on the header. Whether the header total then counts it is unknown.
   */
  freight: 'line' | 'header-only';
  /** connectwise-rest's GLExportAdjustmentTransactionDetail has no `id`; no published export shows one. */
  adjustmentLineIds: 'absent' | 'present';
  /**
   * List paging. 'link': a `Link: <...>; rel="next"` header while pages remain. 'forward-only': asked
   * with `pagination-type: forward-only`, the next link carries `pageId` (the last record's id) instead
   * of a page number (domain.md §8). 'no-link': no Link header at all, as some list endpoints answer
   * (domain.md §8); the client must page by number until a short page.
   */
  paging: 'link' | 'forward-only' | 'no-link';
  /**
   * Re-activating a disabled callback. CallbackEntry carries `inactiveFlag` as a plain field
   * (connectwise-rest ManageTypes, the Go and PowerShell clients list it among the create/update
   * fields), so a PATCH of it plausibly re-activates ('patch'); no published source shows CW accepting
   * it, so 'recreate-only' refuses the PATCH (400 InvalidObject) and only a new registration helps.
   */
  callbackReactivate: 'patch' | 'recreate-only';
  /**
   * Payments on one invoice. 'many': each POST adds a payment (connectwise-rest ManageTypes lists
   * payments per invoice). 'one': a second POST is refused and the existing payment must be updated
   * (PATCH), as integration vendors report (Zynk, domain.md §8). Unknown, both plausible.
   */
  paymentsPerInvoice: 'many' | 'one';
  /**
   * An owner-level callback's `objectId` (POST /system/callbacks). A working integration registers
   * owner-level callbacks with `objectId: 1` (KerkhoffTechnologies/django-connectwise
   * djconnectwise/callbacks.py@fb44d780a6ea, citing CW's Developer Guide); whether CW refuses 0 is
   * not published. 'ignored': owner level takes any objectId; 'refuse-zero': 0 is refused (400
   * InvalidObject naming `objectId`). Other levels match objectId against the record either way.
   */
  ownerObjectId: 'ignored' | 'refuse-zero';
  /**
   * Which rels a navigable `Link` header carries besides `next`. A real CW server's header
   * (thelazyadministrator.com, 2024; test/conformance/connectwise/paged-list-link-header.json) starts
   * with `<…page=2>; rel="next", <…` and is cut off after it: more links follow, which ones and in
   * what order is unknown. 'next-first' (the nearest the evidence): next, then prev, first and last;
   * 'next-only': next alone; 'next-among': first, prev, next, last (next not first). Without `next`
   * (the last page) the others still come under 'next-first' and 'next-among'. Forward-only links
   * (`pageId`) have no way back or to the end, so they carry `next` only under every value (a guess).
   */
  linkRels: 'next-first' | 'next-only' | 'next-among';
  /**
   * DELETE /finance/invoices/{parentId}/payments/{id} answers 204 (connectwise-rest ManageTypes
   * deleteFinanceInvoicesByParentIdPaymentsById). Whether CW refuses to delete a payment once its
   * invoice is posted in a GL batch is not published; CW's REST batches carry no payments
   * (CreateAccountingBatchRequest has invoice, expense and product flags only), so the invoice's batch
   * is the one that counts. 'allowed': removed either way; 'refused': 400 InvalidObject, the payment
   * kept, until the batch is reversed.
   */
  batchedPaymentDelete: 'allowed' | 'refused';
  /**
   * The member sign-in CW hands a pod (getMemberAuthentication) and its cookie check on
   * /system/myMembers/info. CW's documented example has no `memberContext` though its text lists it
   * (domain.md §8); nothing published says the cookie must carry it. 'required' (the strictest, so a
   * product that drops a given memberContext fails): issued, and the cookie must carry the same;
   * 'unchecked': issued, the cookie check ignores it; 'absent': none issued, the cookie is
   * companyName, memberHash and memberId only.
   */
  memberContext: 'required' | 'unchecked' | 'absent';
  /**
   * `glBatch {id, name}` on GET /finance/invoices once an invoice is batched. connectwise-rest's
   * Invoice type (ManageTypes.d.ts) has no such field and the real invoice sample
   * (test/conformance/connectwise) lacks it; only our domain notes claim it (domain.md §2, "present
   * once batched"). 'absent' (the default, CW's own type): never sent, posting is told by the
   * unposted list alone; 'present': sent on a batched invoice. The simulator keeps the batch on its
   * record either way (posting.ts); only the wire differs (invoice-wire.ts).
   */
  invoiceGlBatch: 'absent' | 'present';
}

export const defaultCwBehaviours = (): CwBehaviours => ({
  purchaseExportId: 'descriptive',
  freight: 'line',
  adjustmentLineIds: 'absent',
  paging: 'link',
  callbackReactivate: 'patch',
  paymentsPerInvoice: 'many',
  ownerObjectId: 'ignored',
  linkRels: 'next-first',
  batchedPaymentDelete: 'allowed',
  memberContext: 'required',
  invoiceGlBatch: 'absent',
});

export class ConnectWiseState {
  behaviours: CwBehaviours = defaultCwBehaviours();
  /** GL entry id -> batch id: CW posts entries, so a record is posted once every entry is in a batch. */
  postedEntries = new Map<number, number>();
  companyName = 'Ledgerpod Demo MSP';
  companyIds = new Set<string>();
  companies = new Map<number, CompanySeed>();
  members = new Map<number, MemberSeed>();
  apiKeys = new Map<string, { companyId: string; privateKey: string }>();
  invoices = new Map<number, InvoiceRecord>();
  glTransactions = new Map<string, GlTransactionRecord>();
  expenses = new Map<number, ExpenseRecord>();
  procurement = new Map<number, ProcurementRecord>();
  glAccounts: Record<string, unknown>[] = [];
  taxCodes: Record<string, unknown>[] = [];
  hostedScreens: HostedScreen[] = [...defaultHostedScreens];
  billingTerms: BillingTerm[] = defaultBillingTerms();
  securityRoles: SecurityRole[] = defaultSecurityRoles();
  locations: Location[] = defaultLocations();
  billingStatuses: BillingStatus[] = defaultBillingStatuses();
  hostedSetups = new Map<number, HostedSetup>();
  batches = new Map<number, Batch>();
  payments: Payment[] = [];
  callbackEntries = new Map<number, CallbackEntry>();
  deliveries: Delivery[] = [];
  /** Callback id -> when (sim clock, ms) its current run of failed deliveries began. */
  callbackFailingSince = new Map<number, number>();
  /** Whether CW can reach the callback URLs at all: 'unreachable' models a network outage. */
  callbackNetwork: 'up' | 'unreachable' = 'up';
  /** Added to the wall clock (POST /__sim/clock): days of callback failures pass in a test. */
  clockOffsetMs = 0;
  memberHashes = new Map<string, IssuedMemberHash>();
  signingKeys = new Map<string, string>();
  private lastId = 1000;

  constructor(readonly defaultCompanyId: string) {
    this.companyIds.add(defaultCompanyId);
  }

  /** Empties everything in place, so routers holding this object see the fresh state. */
  reset(): void {
    Object.assign(this, new ConnectWiseState(this.defaultCompanyId));
  }

  /** The simulator's clock: the wall clock moved on by /__sim/clock. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** Merges seed data by id, so tests can seed in several steps. */
  seed(body: unknown): { ok: true } {
    const seed = seedSchema.parse(body);
    if (seed.companyName) this.companyName = seed.companyName;
    for (const c of seed.companies) this.companies.set(c.id, c);
    for (const m of seed.members) this.members.set(m.id, m);
    for (const k of seed.apiMembers) {
      this.companyIds.add(k.companyId);
      this.apiKeys.set(`${k.companyId.toLowerCase()}+${k.publicKey}`, k);
    }
    for (const i of seed.invoices) this.invoices.set(i.id, i);
    for (const t of seed.glTransactions) this.glTransactions.set(t.documentNumber, t);
    for (const e of seed.expenses) this.expenses.set(e.id, e);
    for (const p of seed.procurement) this.procurement.set(p.id, p);
    this.glAccounts.push(...seed.glAccounts);
    this.taxCodes.push(...seed.taxCodes);
    if (seed.hostedScreens) this.hostedScreens = seed.hostedScreens;
    if (seed.billingTerms) this.billingTerms = seed.billingTerms;
    if (seed.securityRoles) this.securityRoles = seed.securityRoles;
    if (seed.locations) this.locations = seed.locations;
    if (seed.billingStatuses) this.billingStatuses = seed.billingStatuses;
    const ids = [...this.invoices.keys(), ...this.expenses.keys(), ...this.procurement.keys()];
    this.lastId = Math.max(this.lastId, ...ids);
    return { ok: true };
  }

  snapshot() {
    return {
      invoices: [...this.invoices.values()],
      billingStatuses: this.billingStatuses,
      batches: [...this.batches.values()].map(batchWire),
      payments: this.payments,
      callbacks: this.deliveries,
      hostedSetups: [...this.hostedSetups.values()],
    };
  }
}

/** A batch as CW lists it (the bookkeeping fields stay inside the simulator). */
export const batchWire = ({ entryIds: _e, records: _r, ...wire }: Batch) => wire;
