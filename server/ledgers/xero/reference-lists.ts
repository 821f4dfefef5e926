import type { LedgerOption } from '../ledger.js';
import type { XeroApi } from './api.js';
import { accountWire, envelope, itemWire, taxRateWire, trackingCategoryWire } from './wire.js';

/** The lists behind the mapping pickers: accounts by code, tax rates by TaxType, tracking options, items. */

export async function listAccounts(xero: XeroApi): Promise<LedgerOption[]> {
  const body = await xero.call(envelope('Accounts', accountWire), (api, t) => api.getAccounts(t));
  return body.Accounts.filter((a) => a.Code).map((a) => ({
    key: a.Code!,
    name: `${a.Code} ${a.Name}`,
    detail: a.Type,
    active: a.Status !== 'ARCHIVED',
  }));
}

export async function listTaxCodes(xero: XeroApi): Promise<LedgerOption[]> {
  const body = await xero.call(envelope('TaxRates', taxRateWire), (api, t) => api.getTaxRates(t));
  return body.TaxRates.map((r) => ({
    key: r.TaxType,
    name: r.Name,
    detail: `${r.EffectiveRate ?? r.DisplayTaxRate ?? 0}%`,
    active: r.Status === undefined || r.Status === 'ACTIVE',
  }));
}

/** A class key is `categoryId:optionId`, since a Xero line is tracked by category and option. */
export async function listClasses(xero: XeroApi): Promise<LedgerOption[]> {
  const body = await xero.call(envelope('TrackingCategories', trackingCategoryWire), (api, t) =>
    api.getTrackingCategories(t, undefined, undefined, true),
  );
  return body.TrackingCategories.flatMap((c) =>
    c.Options.map((o) => ({
      key: `${c.TrackingCategoryID}:${o.TrackingOptionID}`,
      name: `${c.Name}: ${o.Name}`,
      detail: c.Name,
      active: c.Status !== 'ARCHIVED' && o.Status !== 'ARCHIVED',
    })),
  );
}

export async function listItems(xero: XeroApi): Promise<LedgerOption[]> {
  const body = await xero.call(envelope('Items', itemWire), (api, t) => api.getItems(t));
  return body.Items.map((i) => ({
    key: i.Code,
    name: i.Name ?? i.Code,
    detail: i.Description,
    active: true,
  }));
}
