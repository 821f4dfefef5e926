import { z } from 'zod';
import type { AccessTokenSource } from '../ledger.js';
import { callSdk, type SdkSettings } from './api.js';
import { parse } from './parse-wire.js';
import type { QboTaxModel } from './tax.js';

/** How a QBO company takes tax, as stored on its connection and shown in the admin tab. */
export interface QboCompanyTax {
  model: QboTaxModel;
  /** CompanyInfo.Country, e.g. "US", "GB", "CA". */
  country: string;
  /** Preferences.TaxPrefs.PartnerTaxEnabled: US automated sales tax. */
  automatedSalesTax: boolean;
  companyName: string | undefined;
}

export const preferencesSchema = z.looseObject({
  TaxPrefs: z
    .looseObject({ UsingSalesTax: z.boolean().optional(), PartnerTaxEnabled: z.boolean().optional() })
    .optional(),
  // Read only as a date: anything else is taken as no closing date shown (QBO then refuses by itself).
  AccountingInfoPrefs: z.looseObject({ BookCloseDate: z.unknown().optional() }).optional(),
});
export const companyInfoSchema = z.looseObject({
  Country: z.string().optional(),
  CompanyName: z.string().optional(),
});

/**
 * The company's kind from its Preferences and CompanyInfo (domain.md §8). Pure. Without a country QBO
 * is taken as US, the edition whose rules the product followed before; sales tax turned off means
 * no tax codes at all, whatever the edition.
 */
export function companyTaxOf(
  preferences: z.infer<typeof preferencesSchema>,
  info: z.infer<typeof companyInfoSchema>,
): QboCompanyTax {
  const country = (info.Country ?? 'US').toUpperCase();
  const usingSalesTax = preferences.TaxPrefs?.UsingSalesTax ?? true;
  return {
    model: !usingSalesTax ? 'no_tax' : country === 'US' ? 'us' : 'global',
    country,
    automatedSalesTax: preferences.TaxPrefs?.PartnerTaxEnabled ?? false,
    companyName: info.CompanyName,
  };
}

/** Reads Preferences (one metered read) with the SDK. */
export const readPreferences = async (settings: SdkSettings) =>
  parse(preferencesSchema, await callSdk(settings, 'getPreferences'));

/** Reads Preferences and CompanyInfo (two metered reads) with the SDK. */
export async function readCompanyTax(settings: SdkSettings): Promise<QboCompanyTax> {
  const preferences = await readPreferences(settings);
  const info = parse(companyInfoSchema, await callSdk(settings, 'getCompanyInfo', settings.realmId));
  return companyTaxOf(preferences, info);
}

/** A fixed token, for the one read made right after the OAuth exchange. */
export const fixedToken = (accessToken: string): AccessTokenSource => ({
  accessToken: async () => accessToken,
  invalidate: () => undefined,
});
