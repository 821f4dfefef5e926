import { faults, QboFault } from './qbo-fault.js';
import type { Entity, EntityName, Realm } from './realm-store.js';

/** Customers, vendors and employees share one DisplayName space in QBO. */
const nameSpaces: EntityName[] = ['Customer', 'Vendor', 'Employee'];

export function applyNameRules(realm: Realm, name: EntityName, entity: Entity): void {
  if (!nameSpaces.includes(name)) {
    // Only list entities carry Name / Active; transactions have neither in Finance.xsd.
    if (!['Item', 'Account', 'Class', 'Term', 'TaxCode', 'TaxRate'].includes(name)) return;
    if (!entity.Name) throw faults.requiredParam('Name');
    entity.Active ??= true;
    if (name === 'Account' || name === 'Class' || name === 'Item') entity.FullyQualifiedName ??= entity.Name;
    return;
  }
  const displayName =
    (entity.DisplayName as string | undefined) ??
    (entity.CompanyName as string | undefined) ??
    [entity.GivenName, entity.FamilyName].filter(Boolean).join(' ');
  if (!displayName) throw faults.requiredParam('DisplayName');
  if (/[:\u2018\u2019\u201c\u201d]/.test(displayName))
    throw faults.validation(
      'Invalid character in name: colons (:) and curly quotes are not allowed in DisplayName',
      'DisplayName',
    );
  const lower = displayName.trim().toLowerCase();
  for (const space of nameSpaces) {
    const clash = realm
      .all(space)
      .find((other) => other.Id !== entity.Id && String(other.DisplayName).trim().toLowerCase() === lower);
    // QBO's real code for this is 6240, a business validation error like 6000.
    if (clash)
      throw new QboFault(
        '6240',
        'Duplicate Name Exists Error',
        `The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name. ${space} Id=${clash.Id}`,
        'DisplayName',
      );
  }
  entity.DisplayName = displayName;
  entity.FullyQualifiedName = displayName;
  entity.Active ??= true;
  if (name !== 'Employee') entity.Balance ??= 0;
}
