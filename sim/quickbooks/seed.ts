import { z } from 'zod';
import { qboTime } from './qbo-fault.js';
import { type Entity, type EntityName, entityNames, type Realm } from './realm-store.js';

const wireEntity = z.looseObject({ Id: z.union([z.string(), z.number()]).optional() });

/** Seed bodies are QBO wire entities, keyed by realm and entity name. */
export const seedSchema = z.object({
  realms: z.record(z.string().min(1), z.partialRecord(z.enum(entityNames), z.array(wireEntity))).default({}),
  /** Per realm: what Preferences.TaxPrefs and CompanyInfo say, and the simulator's tax switches. */
  companies: z
    .record(
      z.string().min(1),
      z.object({
        CompanyName: z.string().optional(),
        Country: z.string().length(2).optional(),
        UsingSalesTax: z.boolean().optional(),
        PartnerTaxEnabled: z.boolean().optional(),
        taxSwitches: z
          .object({
            globalRounding: z.enum(['per_rate', 'per_line']).optional(),
            usWithoutOverride: z.enum(['code_rate', 'none']).optional(),
          })
          .optional(),
      }),
    )
    .default({}),
});

const transactions: EntityName[] = ['Invoice', 'CreditMemo', 'Payment', 'Bill', 'Purchase', 'JournalEntry'];

/** Stores entities as given (no business rules), filling what QBO always sets. */
export function seedRealm(
  realm: Realm,
  entities: Partial<Record<EntityName, Record<string, unknown>[]>>,
): void {
  const time = qboTime();
  for (const [name, list] of Object.entries(entities) as [EntityName, Record<string, unknown>[]][]) {
    for (const raw of list) {
      const id = raw.Id === undefined ? realm.nextId() : String(raw.Id);
      realm.noteId(id);
      const entity: Entity = {
        domain: 'QBO',
        sparse: false,
        ...(transactions.includes(name) ? {} : { Active: true }),
        ...raw,
        Id: id,
        SyncToken: String(raw.SyncToken ?? '0'),
        MetaData: { CreateTime: time, LastUpdatedTime: time },
      };
      if (['Customer', 'Vendor', 'Employee'].includes(name)) {
        entity.DisplayName ??=
          entity.CompanyName ?? [entity.GivenName, entity.FamilyName].filter(Boolean).join(' ');
        entity.FullyQualifiedName ??= entity.DisplayName;
      } else if (entity.Name !== undefined && ['Account', 'Class', 'Item'].includes(name)) {
        entity.FullyQualifiedName ??= entity.Name;
      }
      if (['Invoice', 'CreditMemo', 'Bill'].includes(name)) entity.Balance ??= entity.TotalAmt;
      realm.put(name, entity);
    }
  }
}
