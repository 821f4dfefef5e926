import { applyNameRules } from './name-rules.js';
import { applyPaymentRules, recomputeBalances } from './payment-rules.js';
import { faults, qboTime } from './qbo-fault.js';
import type { Entity, EntityName, Realm } from './realm-store.js';
import { applyTransactionRules } from './transaction-rules.js';

export type ChangeOperation = 'Create' | 'Update' | 'Delete' | 'Void';
export type ChangeListener = (
  realm: Realm,
  name: EntityName,
  entity: Entity,
  operation: ChangeOperation,
) => void;

const deletable = new Set<EntityName>([
  'Invoice',
  'CreditMemo',
  'Payment',
  'Bill',
  'Purchase',
  'JournalEntry',
]);
const voidable = new Set<EntityName>(['Invoice', 'Payment']);
const balanceBearing = new Set<EntityName>(['Invoice', 'CreditMemo', 'Payment']);

/** Server-set fields a client may send back but never decides. */
const readOnly = ['Id', 'SyncToken', 'MetaData', 'sparse', 'domain', 'status'];

/**
 * What a voided Payment keeps of its lines. Intuit's Payment reference says only that "all amounts
 * and quantities are zeroed" and "Voided" is prepended to PrivateNote (quoted in
 * Wish-Org/QuickBooksSharp#8); its BillPayment reference adds "all lines are cleared"
 * (intuit/QuickBooks-V3-DotNET-SDK#261). Whether a voided Payment keeps its LinkedTxn is not
 * published, so both are offered: `zeroed` (lines kept, amounts 0) and `cleared` (no lines).
 */
export type VoidedPaymentLines = 'zeroed' | 'cleared';

/**
 * How a credit memo applied in the QBO UI reads back (`/__sim/realms/:realm/apply-credit`). Intuit's
 * Payment reference documents applying a credit memo through the API as a Payment whose lines link
 * the Invoice and the CreditMemo (TotalAmt 0 when no money comes with it); what the UI itself writes
 * is not published, nor whether a credit ticked on the Receive payment screen beside money received
 * shares that money's Payment. Both are offered:
 * - `own-payment`: the credit gets a Payment of its own, TotalAmt 0, an Invoice line and a CreditMemo
 *   line of the credit's amount; money received with it is a second, ordinary Payment;
 * - `with-cash`: one Payment carries both, TotalAmt the money, its Invoice line the money plus the
 *   credit, its CreditMemo line the credit.
 */
export type UiCreditApplication = 'own-payment' | 'with-cash';

/** Create, read, update, delete and void with QBO's rules; the one place entities change. */
export class EntityService {
  /** A guess switch (see VoidedPaymentLines); product tests run under each. */
  voidedPaymentLines: VoidedPaymentLines = 'zeroed';
  /** A guess switch (see UiCreditApplication); product tests run under each. */
  uiCreditApplication: UiCreditApplication = 'own-payment';

  constructor(
    private readonly onChange: ChangeListener = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  read(realm: Realm, name: EntityName, id: string): Entity {
    return structuredClone(realm.get(name, id));
  }

  create(realm: Realm, name: EntityName, body: Record<string, unknown>): Entity {
    const time = qboTime(this.now());
    const entity = structuredClone(body) as Entity;
    for (const key of readOnly) delete entity[key];
    entity.domain = 'QBO';
    entity.sparse = false;
    entity.Id = realm.nextId();
    entity.SyncToken = '0';
    entity.MetaData = { CreateTime: time, LastUpdatedTime: time };
    return this.store(realm, name, entity, undefined, 'Create');
  }

  update(realm: Realm, name: EntityName, body: Record<string, unknown>): Entity {
    const id = body.Id === undefined ? undefined : String(body.Id);
    if (!id) throw faults.requiredParam('Id');
    const existing = realm.get(name, id);
    if (String(body.SyncToken) !== existing.SyncToken)
      throw faults.staleObject(id, String(body.SyncToken), existing.SyncToken);
    const changes = structuredClone(body);
    for (const key of readOnly) delete changes[key];
    const sparse = body.sparse === true || body.sparse === 'true';
    const base = sparse ? structuredClone(existing) : { domain: existing.domain, sparse: false };
    const entity = { ...base, ...changes } as Entity;
    entity.Id = id;
    entity.SyncToken = String(Number(existing.SyncToken) + 1);
    entity.MetaData = { CreateTime: existing.MetaData.CreateTime, LastUpdatedTime: qboTime(this.now()) };
    return this.store(realm, name, entity, existing, 'Update');
  }

  delete(realm: Realm, name: EntityName, body: Record<string, unknown>): Record<string, unknown> {
    if (!deletable.has(name)) throw faults.unsupported(`Operation delete is not supported for ${name}`);
    const existing = this.checkVersion(realm, name, body);
    const hasPayments =
      name !== 'Payment' && Array.isArray(existing.LinkedTxn) && existing.LinkedTxn.length > 0;
    if (hasPayments && Number(existing.Balance) !== Number(existing.TotalAmt))
      throw faults.validation(`${name} ${existing.Id} has payments applied; delete the payments first`);
    const time = qboTime(this.now());
    realm.remove(name, existing.Id, time);
    if (balanceBearing.has(name)) this.rebalance(realm, time);
    this.onChange(realm, name, existing, 'Delete');
    return { domain: 'QBO', status: 'Deleted', Id: existing.Id };
  }

  void(realm: Realm, name: EntityName, body: Record<string, unknown>): Entity {
    if (!voidable.has(name)) throw faults.unsupported(`Operation void is not supported for ${name}`);
    const existing = this.checkVersion(realm, name, body);
    const entity = structuredClone(existing);
    // A voided transaction keeps its number but every amount becomes zero.
    for (const line of (entity.Line ?? []) as Record<string, unknown>[]) line.Amount = 0;
    if (name === 'Payment' && this.voidedPaymentLines === 'cleared') entity.Line = [];
    if (name === 'Invoice') {
      entity.TxnTaxDetail = { TotalTax: 0 };
      entity.Balance = 0;
    } else {
      entity.UnappliedAmt = 0;
    }
    entity.TotalAmt = 0;
    entity.PrivateNote = `Voided${entity.PrivateNote ? ` ${String(entity.PrivateNote)}` : ''}`;
    entity.SyncToken = String(Number(existing.SyncToken) + 1);
    entity.MetaData = { ...existing.MetaData, LastUpdatedTime: qboTime(this.now()) };
    realm.put(name, entity);
    if (name === 'Payment') this.rebalance(realm, entity.MetaData.LastUpdatedTime);
    this.onChange(realm, name, entity, 'Void');
    return structuredClone(entity);
  }

  private checkVersion(realm: Realm, name: EntityName, body: Record<string, unknown>): Entity {
    const existing = realm.get(name, String(body.Id));
    if (body.SyncToken !== undefined && String(body.SyncToken) !== existing.SyncToken)
      throw faults.staleObject(existing.Id, String(body.SyncToken), existing.SyncToken);
    return existing;
  }

  private store(
    realm: Realm,
    name: EntityName,
    entity: Entity,
    previous: Entity | undefined,
    operation: ChangeOperation,
  ): Entity {
    applyNameRules(realm, name, entity);
    applyTransactionRules(realm, name, entity);
    if (name === 'Payment') applyPaymentRules(realm, entity);
    realm.noteId(entity.Id);
    realm.put(name, entity);
    if (balanceBearing.has(name)) {
      try {
        this.rebalance(realm, entity.MetaData.LastUpdatedTime, entity);
      } catch (error) {
        // Refused: the realm goes back to exactly what it was.
        if (previous) realm.put(name, previous);
        else realm.entities.get(name)!.delete(entity.Id);
        throw error;
      }
    }
    this.onChange(realm, name, entity, operation);
    return structuredClone(entity);
  }

  private rebalance(realm: Realm, time: string, writing?: Entity): void {
    for (const doc of recomputeBalances(realm, time, writing)) {
      this.onChange(realm, 'RemainingCredit' in doc ? 'CreditMemo' : 'Invoice', doc, 'Update');
    }
  }
}
