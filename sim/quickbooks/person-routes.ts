import { Router } from 'express';
import { z } from 'zod';
import { amountMinor, amountNumber } from './amounts.js';
import { defaultChart } from './default-chart.js';
import type { EntityService } from './entity-service.js';
import type { Entity, Realm, RealmStore } from './realm-store.js';
import { seedRealm } from './seed.js';
import type { TokenBook } from './token-book.js';
import { decimalsOf } from './transaction-rules.js';
import type { WebhookSender } from './webhooks.js';

const amount = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]);
const paymentBody = z.object({ invoiceId: z.string(), amount, date: z.string().optional() });
const applyCreditBody = z.object({
  creditMemoId: z.string(),
  invoiceId: z.string(),
  amount,
  /** Money received on the same screen, beside the credit (how it reads back is a switch). */
  cash: amount.optional(),
  date: z.string().optional(),
});

/** "Receive payment" in the QBO UI: one payment, in full or in part, against one invoice. */
export function receivePayment(
  service: EntityService,
  realm: Realm,
  body: { invoiceId: string; amount: number | string; date?: string | undefined },
): Entity {
  const invoice = realm.get('Invoice', body.invoiceId);
  return service.create(realm, 'Payment', {
    CustomerRef: invoice.CustomerRef,
    CurrencyRef: invoice.CurrencyRef,
    TotalAmt: body.amount,
    TxnDate: body.date ?? new Date().toISOString().slice(0, 10),
    Line: [{ Amount: body.amount, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
  });
}

/**
 * Applying a credit in the UI (Receive payment, the credit ticked), with or without money received
 * beside it; what it reads back as is the switch `uiCreditApplication` (entity-service.ts).
 */
export function applyCredit(
  service: EntityService,
  realm: Realm,
  body: {
    creditMemoId: string;
    invoiceId: string;
    amount: number | string;
    cash?: number | string;
    date?: string;
  },
): Entity {
  const credit = realm.get('CreditMemo', body.creditMemoId);
  const date = body.date ?? new Date().toISOString().slice(0, 10);
  const decimals = decimalsOf(credit);
  const cash = amountMinor(body.cash ?? 0, decimals);
  const together = service.uiCreditApplication === 'with-cash' && cash > 0n;
  if (cash > 0n && !together)
    receivePayment(service, realm, { invoiceId: body.invoiceId, amount: amountNumber(cash, decimals), date });
  const invoiceLine = together
    ? amountNumber(cash + amountMinor(body.amount, decimals), decimals)
    : body.amount;
  return service.create(realm, 'Payment', {
    CustomerRef: credit.CustomerRef,
    CurrencyRef: credit.CurrencyRef,
    TotalAmt: together ? amountNumber(cash, decimals) : 0,
    TxnDate: date,
    Line: [
      { Amount: invoiceLine, LinkedTxn: [{ TxnId: body.invoiceId, TxnType: 'Invoice' }] },
      { Amount: body.amount, LinkedTxn: [{ TxnId: credit.Id, TxnType: 'CreditMemo' }] },
    ],
  });
}

/** Simulator-only routes: what a person does in the QBO UI, and test hooks for tokens and webhooks. */
export function personRoutes(deps: {
  store: RealmStore;
  service: EntityService;
  tokens: TokenBook;
  webhooks: WebhookSender;
}): Router {
  const { store, service, tokens, webhooks } = deps;
  const router = Router();

  router.post('/__sim/realms', (req, res) => {
    const body = z
      .object({ realmId: z.string().min(1), defaults: z.boolean().default(false) })
      .parse(req.body);
    const realm = store.realm(body.realmId);
    if (body.defaults) seedRealm(realm, defaultChart);
    res.json({ realmId: realm.id });
  });

  router.post('/__sim/realms/:realm/payments', (req, res) => {
    const body = paymentBody.parse(req.body);
    res.json({ Payment: receivePayment(service, store.realm(req.params.realm), body) });
  });

  router.post('/__sim/realms/:realm/apply-credit', (req, res) => {
    const body = applyCreditBody.parse(req.body);
    res.json({ Payment: applyCredit(service, store.realm(req.params.realm), body) });
  });

  router.delete('/__sim/realms/:realm/payments/:id', (req, res) => {
    const realm = store.realm(req.params.realm);
    res.json({ Payment: service.delete(realm, 'Payment', { Id: req.params.id }) });
  });

  /**
   * A bookkeeper edits an invoice in the QBO UI: the first line's amount and/or the tax (US sales
   * tax: TxnTaxDetail.TotalTax). The totals follow by QBO's own rules (transaction-rules.ts).
   */
  router.post('/__sim/realms/:realm/invoices/:id/edit', (req, res) => {
    const realm = store.realm(req.params.realm);
    const body = z.object({ lineAmount: amount.optional(), totalTax: amount.optional() }).parse(req.body);
    const invoice = service.read(realm, 'Invoice', req.params.id);
    const lines = structuredClone((invoice.Line ?? []) as Record<string, unknown>[]);
    const first = lines.find((l) => l.DetailType === 'SalesItemLineDetail');
    if (first && body.lineAmount !== undefined) {
      first.Amount = body.lineAmount;
      const detail = first.SalesItemLineDetail as Record<string, unknown> | undefined;
      if (detail) {
        detail.Qty = 1;
        detail.UnitPrice = body.lineAmount;
      }
    }
    const tax =
      body.totalTax === undefined
        ? {}
        : { TxnTaxDetail: { ...(invoice.TxnTaxDetail as object), TotalTax: body.totalTax } };
    res.json({
      Invoice: service.update(realm, 'Invoice', {
        ...invoice,
        Line: lines.filter((l) => l.DetailType !== 'SubTotalLineDetail'),
        ...tax,
        sparse: false,
      }),
    });
  });

  /** "Void" or "Delete" on an invoice in the QBO UI. */
  router.post('/__sim/realms/:realm/invoices/:id/void', (req, res) => {
    const realm = store.realm(req.params.realm);
    res.json({ Invoice: service.void(realm, 'Invoice', { Id: req.params.id }) });
  });
  router.delete('/__sim/realms/:realm/invoices/:id', (req, res) => {
    const realm = store.realm(req.params.realm);
    res.json({ Invoice: service.delete(realm, 'Invoice', { Id: req.params.id }) });
  });

  /**
   * A bookkeeper keys in an invoice by hand, copying one (same customer, lines and number); with
   * `deleteOriginal`, after deleting that one (QBO refuses a second live invoice of one number
   * with 6140 where duplicate numbers are checked, transaction-rules.ts).
   */
  router.post('/__sim/realms/:realm/invoices/:id/copy', (req, res) => {
    const realm = store.realm(req.params.realm);
    const body = z.object({ deleteOriginal: z.boolean().default(false) }).parse(req.body ?? {});
    const {
      Id: _id,
      SyncToken: _token,
      MetaData: _meta,
      LinkedTxn: _links,
      Balance: _balance,
      ...rest
    } = service.read(realm, 'Invoice', req.params.id);
    if (body.deleteOriginal) service.delete(realm, 'Invoice', { Id: req.params.id });
    const lines = ((rest.Line ?? []) as Record<string, unknown>[]).filter(
      (l) => l.DetailType !== 'SubTotalLineDetail',
    );
    res.json({ Invoice: service.create(realm, 'Invoice', { ...rest, Line: lines }) });
  });

  /** The company withdraws the app's access without revoking its tokens (403 / 3100 on every call). */
  router.post('/__sim/realms/:realm/forbid', (req, res) => {
    const realm = store.realm(req.params.realm);
    realm.forbidden = z.object({ forbidden: z.boolean().default(true) }).parse(req.body ?? {}).forbidden;
    res.json({ forbidden: realm.forbidden });
  });

  /**
   * "Close the books" in Settings > Advanced: the closing date (null opens the books), and whether
   * Preferences show it to the API (realm-store.ts booksClose says why that is a switch).
   */
  router.post('/__sim/realms/:realm/close-books', (req, res) => {
    const realm = store.realm(req.params.realm);
    const body = z
      .object({
        closeDate: z.iso.date().nullable(),
        shownInPreferences: z.boolean().optional(),
      })
      .parse(req.body);
    realm.booksClose = {
      date: body.closeDate ?? undefined,
      shownInPreferences: body.shownInPreferences ?? realm.booksClose.shownInPreferences,
    };
    res.json(realm.booksClose);
  });

  /** "Void" on a received payment in the QBO UI. */
  router.post('/__sim/realms/:realm/payments/:id/void', (req, res) => {
    const realm = store.realm(req.params.realm);
    res.json({ Payment: service.void(realm, 'Payment', { Id: req.params.id }) });
  });

  /**
   * Switches for behaviours no published source settles (entity-service.ts VoidedPaymentLines,
   * UiCreditApplication). The answer names the switches the request named, as they now stand.
   */
  router.post('/__sim/behaviour', (req, res) => {
    const body = z
      .object({
        voidedPaymentLines: z.enum(['zeroed', 'cleared']).optional(),
        uiCreditApplication: z.enum(['own-payment', 'with-cash']).optional(),
      })
      .parse(req.body);
    if (body.voidedPaymentLines) service.voidedPaymentLines = body.voidedPaymentLines;
    if (body.uiCreditApplication) service.uiCreditApplication = body.uiCreditApplication;
    const now = {
      voidedPaymentLines: service.voidedPaymentLines,
      uiCreditApplication: service.uiCreditApplication,
    };
    res.json(Object.fromEntries(Object.entries(now).filter(([name]) => name in body)));
  });

  router.post('/__sim/webhooks', (req, res) => {
    webhooks.target = z.object({ url: z.url(), verifierToken: z.string().min(1) }).parse(req.body);
    res.json({ ok: true });
  });

  router.post('/__sim/oauth/expire-access-tokens', (_req, res) => {
    res.json({ expired: tokens.expireAccessTokens() });
  });

  // A grant without the browser round trip, for tests that are not about OAuth.
  router.post('/__sim/oauth/tokens', (req, res) => {
    const body = z
      .object({ realmId: z.string().min(1), clientId: z.string().default('sim-client') })
      .parse(req.body);
    res.json(tokens.issue(body.realmId, body.clientId));
  });
  return router;
}
