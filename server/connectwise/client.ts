import type { z } from 'zod';
import { coalesced } from '../outbound/coalesce.js';
import { billingStatusTable } from './billing-statuses.js';
import { type ConnectWiseConfig, createConnection, type PageOptions } from './connection.js';
import { ConnectWiseError } from './errors.js';
import {
  type AccountingBatch,
  accountingBatchSchema,
  billingStatusSchema,
  billingTermSchema,
  callbackEntrySchema,
  companySchema,
  countSchema,
  createdSchema,
  type GlExport,
  glAccountSchema,
  glExportSchema,
  type HostedSetup,
  hostedScreenSchema,
  hostedSetupSchema,
  type Invoice,
  invoiceSchema,
  locationSchema,
  type Member,
  memberSchema,
  paymentSchema,
  securityRoleSchema,
  signingKeySchema,
  taxCodeSchema,
  unpostedExpenseSchema,
  unpostedInvoiceSchema,
  unpostedProcurementSchema,
} from './schemas.js';

export type UnpostedKind = 'invoices' | 'expenses' | 'procurement';

const unpostedSchemas = {
  invoices: unpostedInvoiceSchema,
  expenses: unpostedExpenseSchema,
  procurement: unpostedProcurementSchema,
} as const;
type UnpostedOf<K extends UnpostedKind> = z.infer<(typeof unpostedSchemas)[K]>;
const unpostedSchema = <K extends UnpostedKind>(kind: K) =>
  unpostedSchemas[kind] as unknown as z.ZodType<UnpostedOf<K>>;

/** What CW hands a pod in `getmemberauthentication`; only trusted after CW itself confirms it. */
export interface MemberCookieData {
  companyid: string;
  memberid: string;
  memberHash: string;
  memberContext: string;
}

export interface ExportRequest {
  batchIdentifier?: string;
  thruDate?: string;
  locationId?: number;
  summarizeInvoices?: 'Default' | 'Condensed' | 'Detailed';
  exportInvoicesFlag?: boolean;
  includedInvoiceIds?: number[];
  exportExpensesFlag?: boolean;
  includedExpenseIds?: number[];
  exportProductsFlag?: boolean;
  includedProductIds?: string[];
}

export interface CreateBatchRequest {
  batchIdentifier: string;
  /** GL entry ids (from a transaction's glEntryIds and detail ids), not invoice ids. */
  processedRecordIds: number[];
  exportInvoicesFlag?: boolean;
  exportExpensesFlag?: boolean;
  exportProductsFlag?: boolean;
  summarizeExpenses?: boolean;
}

export type HostedSetupInput = Omit<HostedSetup, 'id'>;

/** A CW conditions string literal: quotes and backslashes escaped. */
export const quote = (text: string) => `"${text.replace(/[\\"]/g, '\\$&')}"`;

function urlOrNull(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** The product's ConnectWise PSA client: one method per call the product makes. */
export function createConnectWiseClient(config: ConnectWiseConfig) {
  const cw = createConnection(config);
  const get = <T>(path: string, schema: z.ZodType<T>, onSent?: () => void) =>
    cw.request({ method: 'GET', path, schema, idempotent: true, onSent }).then((r) => r.data);
  const send = <T>(
    method: 'POST' | 'PATCH' | 'PUT',
    path: string,
    data: unknown,
    schema: z.ZodType<T>,
    idempotent: boolean,
    onSent?: () => void,
  ) => cw.request({ method, path, data, schema, idempotent, onSent }).then((r) => r.data);
  const orNull = async <T>(promise: Promise<T>): Promise<T | null> => {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof ConnectWiseError && error.code === 'cw_not_found') return null;
      throw error;
    }
  };

  /**
   * A read of records by id, merged across callers while the CW budget holds them back (coalesce.ts):
   * one id goes to `{path}/{id}`, several to the list with `id in (...)`, which CW answers in the same
   * shape.
   */
  const byIds = <T extends { id: number }>(path: string, schema: z.ZodType<T>) =>
    coalesced(async (ids: number[], sent): Promise<Map<number, T>> => {
      if (ids.length === 1) {
        const one = await orNull(get(`${path}/${ids[0]}`, schema, sent));
        return new Map(one ? [[one.id, one]] : []);
      }
      const many = await cw.all(path, schema, { conditions: `id in (${ids.join(',')})`, onSent: sent });
      return new Map(many.map((r) => [r.id, r]));
    });
  const invoiceById = byIds('/finance/invoices', invoiceSchema);
  const billingStatus = billingStatusTable(() => cw.all('/finance/billingStatuses', billingStatusSchema));
  /**
   * CW's invoice names its status by reference only ({id, name}, connectwise-rest ManageTypes
   * `BillingStatusReference`); whether that status closes an invoice is the status's `closedFlag` in
   * the tenant's billing status table, attached here so isClosed (invoice-columns.ts) reads it.
   */
  const withClosedFlag = async (invoice: Invoice): Promise<Invoice> => {
    const id = invoice.status?.id;
    if (id == null) return invoice;
    const closedFlag = (await billingStatus(id))?.closedFlag;
    return closedFlag == null ? invoice : { ...invoice, status: { ...invoice.status, closedFlag } };
  };
  const unpostedByIds = {
    invoices: byIds('/finance/accounting/unpostedinvoices', unpostedSchema('invoices')),
    expenses: byIds('/finance/accounting/unpostedexpenses', unpostedSchema('expenses')),
    procurement: byIds('/finance/accounting/unpostedprocurement', unpostedSchema('procurement')),
  };
  /** One export previews every record it names, so the previews of records pushed together merge. */
  const exportPreview = <K>(request: (keys: K[]) => ExportRequest) =>
    coalesced(async (keys: K[], sent) => {
      const glExport = await exportGl({ thruDate: new Date().toISOString(), ...request(keys) }, sent);
      return new Map(keys.map((key) => [key, glExport]));
    });
  const exportGl = (request: ExportRequest, onSent?: () => void) =>
    send('POST', '/finance/accounting/export', request, glExportSchema, true, onSent);
  const invoicePreview = exportPreview((ids: number[]) => ({
    summarizeInvoices: 'Detailed',
    exportInvoicesFlag: true,
    includedInvoiceIds: ids,
    exportExpensesFlag: false,
    exportProductsFlag: false,
  }));
  const productPreview = exportPreview((ids: string[]) => ({
    exportInvoicesFlag: false,
    exportExpensesFlag: false,
    exportProductsFlag: true,
    includedProductIds: ids,
  }));

  return {
    apiOrigin: cw.apiOrigin,
    companyInfo: cw.companyInfo,
    pages: cw.pages,

    /**
     * Confirms a pod's member sign-in with CW itself (cookie auth, no API keys). Returns null for a
     * forged, expired or other-company sign-in.
     */
    async verifyMember(data: MemberCookieData): Promise<Member | null> {
      if (data.companyid.toLowerCase() !== config.companyId.toLowerCase()) return null;
      const cookie = [
        `companyName=${encodeURIComponent(data.companyid)}`,
        `memberHash=${encodeURIComponent(data.memberHash)}`,
        `memberId=${encodeURIComponent(data.memberid)}`,
        // CW's documented getMemberAuthentication example has no memberContext (domain.md §8): the
        // cookie carries it only when the pod was given one.
        ...(data.memberContext ? [`memberContext=${encodeURIComponent(data.memberContext)}`] : []),
      ].join('; ');
      try {
        const { data: member } = await cw.request({
          method: 'GET',
          path: '/system/myMembers/info',
          schema: memberSchema,
          idempotent: true,
          cookie,
          interactive: true,
        });
        return member.identifier.toLowerCase() === data.memberid.toLowerCase() ? member : null;
      } catch (error) {
        if (
          error instanceof ConnectWiseError &&
          ['cw_unauthorized', 'cw_forbidden', 'cw_not_found'].includes(error.code)
        )
          return null;
        throw error;
      }
    },
    async getMember(identifier: string): Promise<Member | null> {
      const found = await cw.all('/system/members', memberSchema, {
        conditions: `identifier=${quote(identifier)}`,
        interactive: true,
      });
      return found[0] ?? null;
    },
    getCompany: (id: number) => orNull(get(`/company/companies/${id}`, companySchema)),

    /** Merged with other callers' reads while the CW budget holds them back (see byIds). */
    getInvoice: async (id: number): Promise<Invoice | null> => {
      const invoice = await invoiceById(id);
      return invoice ? withClosedFlag(invoice) : null;
    },
    listInvoices: async (conditions?: string, options: PageOptions = {}) =>
      Promise.all(
        (await cw.all('/finance/invoices', invoiceSchema, { ...options, conditions })).map(withClosedFlag),
      ),
    listInvoicePayments: (invoiceId: number) =>
      cw.all(`/finance/invoices/${invoiceId}/payments`, paymentSchema),
    /** Not idempotent: a timeout or lost answer is reported as ambiguous, never retried blindly. */
    createInvoicePayment: (
      invoiceId: number,
      payment: { amount: number; paymentDate: string; type?: string },
    ) =>
      send(
        'POST',
        `/finance/invoices/${invoiceId}/payments`,
        { ...payment, invoice: { id: invoiceId } },
        // Read after the payment is made: only the id the product keeps (a bad answer is ambiguous,
        // so the payment is found on the invoice before another is made, see transport.ts validate).
        createdSchema,
        false,
      ),

    /**
     * Replaces a payment's amount (PATCH /finance/invoices/{parentId}/payments/{id}, JSON-patch, in
     * connectwise-rest ManageTypes): repeating it gives the same result. Its answer is read for the
     * id only, as a new payment's is.
     */
    updateInvoicePaymentAmount: (invoiceId: number, paymentId: number, amount: number) =>
      send(
        'PATCH',
        `/finance/invoices/${invoiceId}/payments/${paymentId}`,
        [{ op: 'replace', path: 'amount', value: amount }],
        createdSchema,
        true,
      ),

    /**
     * Removes a payment from an invoice (DELETE /finance/invoices/{parentId}/payments/{id}, 204 in
     * ConnectWise's own API types, connectwise-rest ManageTypes). Safe to repeat: one already gone
     * (404) counts as removed.
     */
    deleteInvoicePayment: async (invoiceId: number, paymentId: number): Promise<void> => {
      try {
        await cw.request({
          method: 'DELETE',
          path: `/finance/invoices/${invoiceId}/payments/${paymentId}`,
          schema: null,
          idempotent: true,
        });
      } catch (error) {
        if (error instanceof ConnectWiseError && error.code === 'cw_not_found') return;
        throw error;
      }
    },

    listUnposted: <K extends UnpostedKind>(kind: K, conditions?: string): Promise<UnpostedOf<K>[]> =>
      cw.all(`/finance/accounting/unposted${kind}`, unpostedSchema(kind), { conditions }),
    unpostedPages: <K extends UnpostedKind>(kind: K, conditions?: string) =>
      cw.pages(`/finance/accounting/unposted${kind}`, unpostedSchema(kind), { conditions }),
    countUnposted: async (kind: UnpostedKind, conditions?: string) =>
      (
        await cw.request({
          method: 'GET',
          path: `/finance/accounting/unposted${kind}/count`,
          params: conditions ? { conditions } : {},
          schema: countSchema,
          idempotent: true,
        })
      ).data.count,
    /** Merged with other callers' reads while the CW budget holds them back (see byIds). */
    getUnposted: async <K extends UnpostedKind>(kind: K, id: number): Promise<UnpostedOf<K> | null> =>
      ((await unpostedByIds[kind](id)) as UnpostedOf<K> | undefined) ?? null,
    /** A preview: marks nothing, so it is safe to repeat. */
    exportGl,
    /**
     * The preview of one invoice or credit memo, shared with the records previewed in the same call
     * (pick its transaction by number). A pushed expense has no such call: its export part carries no
     * expense id, so push-gl-record.ts previews it alone (onboarding tells expenses apart in bulk instead:
     * matchExpenseParts).
     */
    exportInvoice: async (id: number): Promise<GlExport> => (await invoicePreview(id)) as GlExport,
    /** The preview of one procurement product (a purchase or an adjustment), shared like exportInvoice. */
    exportProduct: async (productId: string): Promise<GlExport> =>
      (await productPreview(productId)) as GlExport,
    /** Marks records posted. Not idempotent: a lost answer is ambiguous; look the batch up before retrying. */
    /**
     * Nothing of the answer is read: once CW has committed the batch, no body it sends can leave the
     * record unknown (the batch is found again by its identifier, findBatch). Everything the commit
     * needs was read and checked before it (the export preview, the GL entry ids).
     */
    createBatch: async (request: CreateBatchRequest): Promise<void> => {
      await cw.request({
        method: 'POST',
        path: '/finance/accounting/batches',
        data: request,
        schema: null,
        idempotent: false,
      });
    },
    listBatches: (conditions?: string): Promise<AccountingBatch[]> =>
      cw.all('/finance/accounting/batches', accountingBatchSchema, { conditions }),
    findBatch: async (batchIdentifier: string): Promise<AccountingBatch | null> =>
      (
        await cw.all('/finance/accounting/batches', accountingBatchSchema, {
          conditions: `batchIdentifier=${quote(batchIdentifier)}`,
        })
      )[0] ?? null,
    deleteBatch: async (id: number): Promise<void> => {
      await cw.request({
        method: 'DELETE',
        path: `/finance/accounting/batches/${id}`,
        schema: null,
        idempotent: true,
      });
    },

    listGlAccounts: (conditions?: string) => cw.all('/finance/glAccounts', glAccountSchema, { conditions }),
    listTaxCodes: (conditions?: string) => cw.all('/finance/taxCodes', taxCodeSchema, { conditions }),
    listBillingTerms: (conditions?: string) =>
      cw.all('/finance/billingTerms', billingTermSchema, { conditions }),
    /** The locations records come from, which a ledger connection's routing names. */
    listLocations: (conditions?: string) => cw.all('/system/locations', locationSchema, { conditions }),
    /** The path as CW's spec spells it (lower case). */
    listSecurityRoles: (conditions?: string) =>
      cw.all('/system/securityroles', securityRoleSchema, { conditions }),

    registerCallback: (entry: {
      description: string;
      url: string;
      objectId: number;
      type: string;
      level: string;
    }) => send('POST', '/system/callbacks', entry, callbackEntrySchema, false),
    listCallbacks: () => cw.all('/system/callbacks', callbackEntrySchema),
    /** JSON-patch `replace` of the given fields (e.g. `inactiveFlag: false` to re-activate one). */
    updateCallback: (id: number, changes: { inactiveFlag?: boolean; url?: string; description?: string }) =>
      send(
        'PATCH',
        `/system/callbacks/${id}`,
        Object.entries(changes).map(([key, value]) => ({ op: 'replace', path: key, value })),
        callbackEntrySchema,
        true,
      ),
    deleteCallback: async (id: number): Promise<void> => {
      await cw.request({ method: 'DELETE', path: `/system/callbacks/${id}`, schema: null, idempotent: true });
    },

    listHostedScreens: () => cw.all('/system/connectWiseHostedScreens', hostedScreenSchema),
    listHostedSetups: (conditions?: string) =>
      cw.all('/system/connectwisehostedsetups', hostedSetupSchema, { conditions }),
    createHostedSetup: (setup: HostedSetupInput) =>
      send('POST', '/system/connectwisehostedsetups', setup, hostedSetupSchema, false),
    /** JSON-patch `replace` of the given fields: repeating it gives the same result. */
    updateHostedSetup: (id: number, changes: Partial<HostedSetupInput>) =>
      send(
        'PATCH',
        `/system/connectwisehostedsetups/${id}`,
        Object.entries(changes).map(([key, value]) => ({ op: 'replace', path: key, value })),
        hostedSetupSchema,
        true,
      ),
    deleteHostedSetup: async (id: number): Promise<void> => {
      await cw.request({
        method: 'DELETE',
        path: `/system/connectwisehostedsetups/${id}`,
        schema: null,
        idempotent: true,
      });
    },

    /** Whether a URL is on this tenant's CW API host (the only place signing keys come from). */
    isOwnUrl: (text: string) => urlOrNull(text)?.origin === cw.apiOrigin,

    /**
     * Fetches a callback's signing key, but only from the tenant's own CW API host: key_url arrives in
     * an unauthenticated payload, and following it anywhere else would be an SSRF hole.
     */
    async fetchSigningKey(keyUrl: string): Promise<string> {
      const url = urlOrNull(keyUrl);
      if (!url) throw new ConnectWiseError('cw_untrusted_url', 'Callback key_url is not a URL');
      if (url.origin !== cw.apiOrigin) {
        throw new ConnectWiseError(
          'cw_untrusted_url',
          `Callback key_url host ${url.host} is not this tenant's ConnectWise`,
        );
      }
      const result = await cw.transport.call({
        method: 'GET',
        url: url.toString(),
        headers: { Accept: 'application/json', clientId: config.clientId },
        schema: signingKeySchema,
        idempotent: true,
      });
      return result.data.signing_key;
    },
  };
}

export type ConnectWiseClient = ReturnType<typeof createConnectWiseClient>;
