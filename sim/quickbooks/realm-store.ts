import { faults } from './qbo-fault.js';
import { type CompanySettings, defaultTaxSwitches, type TaxSwitches } from './tax-rules.js';

/** The entities this simulator serves, by canonical name; URLs use them lowercased. */
export const entityNames = [
  'Invoice',
  'CreditMemo',
  'Payment',
  'Customer',
  'Vendor',
  'Employee',
  'Item',
  'Account',
  'TaxCode',
  'TaxRate',
  'Class',
  'Bill',
  'Purchase',
  'JournalEntry',
  'Term',
] as const;
export type EntityName = (typeof entityNames)[number];

export const entityByLowerName = new Map<string, EntityName>(entityNames.map((n) => [n.toLowerCase(), n]));

export type Entity = Record<string, unknown> & {
  Id: string;
  SyncToken: string;
  MetaData: { CreateTime: string; LastUpdatedTime: string };
};

export interface Deletion {
  entity: EntityName;
  id: string;
  at: string;
}

/** One QBO company: its entities, id sequence, replayable responses and tombstones for CDC. */
export class Realm {
  readonly entities = new Map<EntityName, Map<string, Entity>>(entityNames.map((n) => [n, new Map()]));
  readonly replies = new Map<string, { status: number; body: unknown }>();
  readonly deletions: Deletion[] = [];
  /**
   * The app may no longer use this company although its tokens are valid (the granting user lost
   * access, or the scope does not cover accounting): every v3 call answers 403 / 3100.
   */
  forbidden = false;
  private lastId = 0;
  /** Preferences.TaxPrefs and CompanyInfo: a US company with sales tax unless seeded otherwise. */
  company: CompanySettings = {
    CompanyName: 'Sandbox Company',
    Country: 'US',
    UsingSalesTax: true,
    PartnerTaxEnabled: true,
  };
  taxSwitches: TaxSwitches = { ...defaultTaxSwitches };
  /**
   * "Close the books" (closed-books.ts): the closing date, and whether Preferences show it as
   * AccountingInfoPrefs.BookCloseDate. Intuit's blog reads it "if the attribute is available" and its
   * error page says the closed state cannot be read at all: a switch, so both can be tested.
   */
  booksClose: { date: string | undefined; shownInPreferences: boolean } = {
    date: undefined,
    shownInPreferences: true,
  };

  constructor(readonly id: string) {}

  nextId(): string {
    this.lastId += 1;
    return String(this.lastId);
  }

  /** Seeded ids must not collide with ids handed out later. */
  noteId(id: string): void {
    if (/^\d+$/.test(id)) this.lastId = Math.max(this.lastId, Number(id));
  }

  all(name: EntityName): Entity[] {
    return [...this.entities.get(name)!.values()];
  }

  find(name: EntityName, id: string | undefined): Entity | undefined {
    return id === undefined ? undefined : this.entities.get(name)!.get(String(id));
  }

  get(name: EntityName, id: string): Entity {
    const entity = this.find(name, id);
    if (!entity) throw faults.notFound(name, id);
    return entity;
  }

  put(name: EntityName, entity: Entity): Entity {
    this.entities.get(name)!.set(entity.Id, entity);
    return entity;
  }

  remove(name: EntityName, id: string, at: string): void {
    this.entities.get(name)!.delete(id);
    this.deletions.push({ entity: name, id, at });
  }
}

/** All realms of one simulator instance; a realm springs into being on first use, as a sandbox would. */
export class RealmStore {
  private realms = new Map<string, Realm>();

  realm(id: string): Realm {
    let realm = this.realms.get(id);
    if (!realm) {
      realm = new Realm(id);
      this.realms.set(id, realm);
    }
    return realm;
  }

  has(id: string): boolean {
    return this.realms.has(id);
  }

  list(): Realm[] {
    return [...this.realms.values()];
  }

  clear(): void {
    this.realms.clear();
  }
}
