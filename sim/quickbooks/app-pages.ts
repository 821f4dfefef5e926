import express, { type Request, type Response, Router } from 'express';
import { formatMinor } from '../../server/shared/money.js';
import { type AppBrand, appPage, esc, formText } from '../kit/html-page.js';
import { amountMinor, currencyDecimals } from './amounts.js';
import type { EntityService } from './entity-service.js';
import { applyCredit, receivePayment } from './person-routes.js';
import { QboFault } from './qbo-fault.js';
import type { Entity, Realm, RealmStore } from './realm-store.js';

/**
 * The QuickBooks Online web app pages the product links to (`/app/invoice?txnId=…`,
 * `/app/creditmemo?txnId=…`), plain server-rendered HTML, so a person can look at a document and
 * receive a payment (or apply a credit) as they would in QuickBooks. Forms go through the same code
 * as the `/__sim/realms/:realm/payments` and `/apply-credit` person routes.
 */
export function appPages(deps: { store: RealmStore; service: EntityService }): Router {
  const { store, service } = deps;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  const located = (req: Request, name: 'Invoice' | 'CreditMemo') => {
    const txnId = formText(req.query.txnId);
    const realmId = formText(req.query.realmId);
    if (!txnId) return undefined;
    const realms = realmId ? (store.has(realmId) ? [store.realm(realmId)] : []) : store.list();
    const realm = realms.find((r) => r.find(name, txnId));
    return realm ? { realm, doc: realm.get(name, txnId) } : undefined;
  };
  const notFound = (res: Response, what: string, txnId: string) => {
    res
      .status(404)
      .type('html')
      .send(
        page(
          `${what} not found`,
          `<p class="problem">No ${esc(what.toLowerCase())} with transaction id ${esc(txnId || '(none)')} in any company of this simulator.</p>`,
        ),
      );
  };

  router.get('/app/invoice', (req, res) => {
    const found = located(req, 'Invoice');
    if (!found) return notFound(res, 'Invoice', formText(req.query.txnId));
    res.type('html').send(invoicePage(found.realm, found.doc, notice(req)));
  });

  router.post('/app/invoice', form, (req, res) => {
    const found = located(req, 'Invoice');
    if (!found) return notFound(res, 'Invoice', formText(req.query.txnId));
    const { realm, doc } = found;
    const amount = formText(req.body?.amount).trim();
    const date = formText(req.body?.date).trim();
    const problem = checkAmountAndDate(amount, date);
    if (problem)
      return res
        .status(400)
        .type('html')
        .send(invoicePage(realm, doc, { problem }));
    try {
      receivePayment(service, realm, { invoiceId: doc.Id, amount, date: date || undefined });
    } catch (error) {
      if (!(error instanceof QboFault)) throw error;
      return res
        .status(400)
        .type('html')
        .send(invoicePage(realm, doc, { problem: faultText(error) }));
    }
    res.redirect(303, `${selfUrl('invoice', realm, doc)}&received=${encodeURIComponent(amount)}`);
  });

  router.get('/app/creditmemo', (req, res) => {
    const found = located(req, 'CreditMemo');
    if (!found) return notFound(res, 'Credit memo', formText(req.query.txnId));
    res.type('html').send(creditMemoPage(found.realm, found.doc, notice(req)));
  });

  router.post('/app/creditmemo', form, (req, res) => {
    const found = located(req, 'CreditMemo');
    if (!found) return notFound(res, 'Credit memo', formText(req.query.txnId));
    const { realm, doc } = found;
    const amount = formText(req.body?.amount).trim();
    const invoiceId = formText(req.body?.invoiceId);
    const problem = checkAmountAndDate(amount, '') ?? (invoiceId ? undefined : 'Choose an invoice.');
    if (problem)
      return res
        .status(400)
        .type('html')
        .send(creditMemoPage(realm, doc, { problem }));
    try {
      applyCredit(service, realm, { creditMemoId: doc.Id, invoiceId, amount });
    } catch (error) {
      if (!(error instanceof QboFault)) throw error;
      return res
        .status(400)
        .type('html')
        .send(creditMemoPage(realm, doc, { problem: faultText(error) }));
    }
    res.redirect(303, `${selfUrl('creditmemo', realm, doc)}&applied=${encodeURIComponent(amount)}`);
  });
  return router;
}

interface Notice {
  problem?: string;
  done?: string;
}

const notice = (req: Request): Notice => {
  const received = formText(req.query.received);
  const applied = formText(req.query.applied);
  if (received) return { done: `Payment of ${received} received.` };
  if (applied) return { done: `Credit of ${applied} applied.` };
  return {};
};

function checkAmountAndDate(amount: string, date: string): string | undefined {
  if (!/^\d+(\.\d+)?$/.test(amount) || Number(amount) <= 0) return 'Enter an amount greater than zero.';
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return 'Enter the date as YYYY-MM-DD.';
  return undefined;
}

const faultText = (fault: QboFault) => `${fault.message}: ${fault.detail}`;

const selfUrl = (page: string, realm: Realm, doc: Entity) =>
  `/app/${page}?txnId=${encodeURIComponent(doc.Id)}&realmId=${encodeURIComponent(realm.id)}`;

type Ref = { value?: string; name?: string } | undefined;

const currencyOf = (doc: Entity) => (doc.CurrencyRef as Ref)?.value ?? 'USD';

/** An amount as QuickBooks shows it: grouped digits, the currency's decimals, the currency code. */
function amount(value: unknown, doc: Entity): string {
  const currency = currencyOf(doc);
  const decimals = currencyDecimals(currency);
  const plain = formatMinor(amountMinor(value ?? 0, decimals), decimals);
  const [whole, fraction] = plain.replace('-', '').split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${plain.startsWith('-') ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''} ${currency}`;
}

const customerName = (realm: Realm, doc: Entity) => {
  const ref = doc.CustomerRef as Ref;
  const customer = realm.find('Customer', ref?.value);
  return String(customer?.DisplayName ?? ref?.name ?? ref?.value ?? '');
};

const today = () => new Date().toISOString().slice(0, 10);

type Line = {
  Description?: string;
  Amount?: unknown;
  DetailType?: string;
  SalesItemLineDetail?: { Qty?: unknown; UnitPrice?: unknown; ItemRef?: Ref };
};

function linesTable(realm: Realm, doc: Entity): string {
  const rows = ((doc.Line ?? []) as Line[])
    .filter((line) => line.DetailType === 'SalesItemLineDetail')
    .map((line) => {
      const detail = line.SalesItemLineDetail ?? {};
      const item = realm.find('Item', detail.ItemRef?.value);
      return `<tr><td>${esc(item?.Name ?? detail.ItemRef?.name ?? '')}</td><td>${esc(line.Description)}</td><td class="num">${esc(detail.Qty ?? '')}</td><td class="num">${esc(detail.UnitPrice ?? '')}</td><td class="num">${esc(amount(line.Amount, doc))}</td></tr>`;
    })
    .join('');
  const tax = (doc.TxnTaxDetail as { TotalTax?: unknown } | undefined)?.TotalTax ?? 0;
  return `<table class="lines" aria-label="Lines">
<thead><tr><th>Product/service</th><th>Description</th><th class="num">Qty</th><th class="num">Rate</th><th class="num">Amount</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">Tax</td><td class="num">${esc(amount(tax, doc))}</td></tr>
<tr class="total"><td colspan="4">Total</td><td class="num" data-testid="total">${esc(amount(doc.TotalAmt, doc))}</td></tr></tfoot>
</table>`;
}

/** The payments linking this document: money received, or credits applied to it. */
function paymentsList(realm: Realm, doc: Entity, type: 'Invoice' | 'CreditMemo'): string {
  const rows: string[] = [];
  for (const payment of realm.all('Payment')) {
    for (const line of (payment.Line ?? []) as {
      Amount?: unknown;
      LinkedTxn?: { TxnId: string; TxnType: string }[];
    }[]) {
      if (!line.LinkedTxn?.some((l) => l.TxnType === type && l.TxnId === doc.Id)) continue;
      const credit = ((payment.Line ?? []) as { LinkedTxn?: { TxnType: string; TxnId: string }[] }[])
        .flatMap((l) => l.LinkedTxn ?? [])
        .find((l) => l.TxnType === (type === 'Invoice' ? 'CreditMemo' : 'Invoice'));
      const what =
        type === 'Invoice'
          ? credit
            ? `Credit memo ${credit.TxnId} applied`
            : `Payment ${payment.Id}`
          : `Applied to invoice ${credit?.TxnId ?? '?'}`;
      rows.push(
        `<tr><td>${esc(payment.TxnDate)}</td><td>${esc(what)}</td><td class="num">${esc(amount(line.Amount, doc))}</td></tr>`,
      );
    }
  }
  const heading = type === 'Invoice' ? 'Payments' : 'Applied';
  if (rows.length === 0) return `<h2>${heading}</h2><p class="muted" data-testid="no-payments">None yet.</p>`;
  return `<h2>${heading}</h2><table class="lines" aria-label="${heading}" data-testid="payments">
<thead><tr><th>Date</th><th>Transaction</th><th class="num">Amount</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function header(realm: Realm, doc: Entity, kind: string, due: boolean): string {
  const fields: [string, unknown][] = [
    ['Customer', customerName(realm, doc)],
    [`${kind} no.`, doc.DocNumber ?? '(none)'],
    [`${kind} date`, doc.TxnDate ?? ''],
  ];
  if (due && doc.DueDate) fields.push(['Due date', doc.DueDate]);
  fields.push(['Company', realm.id]);
  return `<dl class="fields">${fields.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

const noticeHtml = (n: Notice) =>
  `${n.problem ? `<p class="problem" role="alert">${esc(n.problem)}</p>` : ''}${n.done ? `<p class="done" role="status">${esc(n.done)}</p>` : ''}`;

function invoicePage(realm: Realm, doc: Entity, note: Notice): string {
  const balance = amountMinor(doc.Balance ?? 0, currencyDecimals(currencyOf(doc)));
  const decimals = currencyDecimals(currencyOf(doc));
  const status =
    balance === 0n ? 'Paid' : balance === amountMinor(doc.TotalAmt, decimals) ? 'Open' : 'Partial';
  const formHtml =
    balance > 0n
      ? `<form method="post" action="${esc(selfUrl('invoice', realm, doc))}" class="receive" aria-label="Receive payment">
<h2>Receive payment</h2>
<label>Amount received <input name="amount" inputmode="decimal" required value="${esc(formatMinor(balance, decimals))}"></label>
<label>Payment date <input name="date" type="date" value="${esc(today())}"></label>
<button type="submit">Save and close</button>
</form>`
      : '<p class="muted">This invoice is paid in full.</p>';
  const body = `${noticeHtml(note)}
<div class="doc-head"><span class="status status-${esc(status.toLowerCase())}" data-testid="status">${esc(status)}</span>
<span class="balance">Balance due <b data-testid="balance">${esc(amount(doc.Balance, doc))}</b></span></div>
${header(realm, doc, 'Invoice', true)}
${linesTable(realm, doc)}
${paymentsList(realm, doc, 'Invoice')}
${formHtml}`;
  return page(`Invoice ${String(doc.DocNumber ?? doc.Id)}`, body);
}

function creditMemoPage(realm: Realm, doc: Entity, note: Notice): string {
  const decimals = currencyDecimals(currencyOf(doc));
  const remaining = amountMinor(doc.RemainingCredit ?? doc.Balance ?? 0, decimals);
  const customer = (doc.CustomerRef as Ref)?.value;
  const open = realm
    .all('Invoice')
    .filter((i) => (i.CustomerRef as Ref)?.value === customer && amountMinor(i.Balance ?? 0, decimals) > 0n);
  const formHtml =
    remaining > 0n && open.length > 0
      ? `<form method="post" action="${esc(selfUrl('creditmemo', realm, doc))}" class="receive" aria-label="Apply credit">
<h2>Apply credit to an invoice</h2>
<label>Invoice <select name="invoiceId">${open
          .map(
            (i) =>
              `<option value="${esc(i.Id)}">${esc(i.DocNumber ?? i.Id)} (open ${esc(amount(i.Balance, i))})</option>`,
          )
          .join('')}</select></label>
<label>Amount <input name="amount" inputmode="decimal" required value="${esc(formatMinor(remaining, decimals))}"></label>
<button type="submit">Apply</button>
</form>`
      : `<p class="muted">${remaining > 0n ? 'This customer has no open invoices to apply the credit to.' : 'This credit is used up.'}</p>`;
  const body = `${noticeHtml(note)}
<div class="doc-head"><span class="balance">Remaining credit <b data-testid="balance">${esc(amount(doc.RemainingCredit ?? doc.Balance, doc))}</b></span></div>
${header(realm, doc, 'Credit memo', false)}
${linesTable(realm, doc)}
${paymentsList(realm, doc, 'CreditMemo')}
${formHtml}`;
  return page(`Credit memo ${String(doc.DocNumber ?? doc.Id)}`, body);
}

const brand: AppBrand = {
  name: 'QuickBooks Online (simulated)',
  tagline: 'A stand-in for the QuickBooks web app, for the Ledgerpod demo',
  headerClass: 'qb-header',
  style: `
body{margin:0;font:14px/1.45 "Avenir Next",Avenir,"Segoe UI",Helvetica,Arial,sans-serif;color:#393a3d;background:#f4f5f8}
.qb-header{background:#2ca01c;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:12px}
.qb-header b{font-size:17px}.qb-header small{opacity:.85}
main{max-width:900px;margin:24px auto;background:#fff;border:1px solid #dcdee3;border-radius:4px;padding:20px 28px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:22px 0 8px}
.doc-head{display:flex;justify-content:space-between;align-items:center;margin-bottom:10px}
.status{font-weight:600;padding:2px 10px;border-radius:12px;background:#eceef1}
.status-paid{background:#d7f0d2;color:#1d6b12}.status-partial{background:#fff1c9;color:#7a5a00}
.balance b{font-size:20px}
.fields{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 12px}
.fields dt{color:#6b6c72}.fields dd{margin:0}
table.lines{border-collapse:collapse;width:100%}
.lines th,.lines td{border-bottom:1px solid #e3e5e8;padding:6px 8px;text-align:left}
.lines th{font-size:12px;text-transform:uppercase;color:#6b6c72}
.num{text-align:right!important}.total td{font-weight:700}
.receive{margin-top:18px;padding:14px;border:1px solid #dcdee3;border-radius:4px;background:#fafbfc;display:flex;gap:14px;align-items:end;flex-wrap:wrap}
.receive h2{width:100%;margin:0}.receive label{display:flex;flex-direction:column;font-size:12px;color:#6b6c72;gap:3px}
.receive input,.receive select{font:inherit;padding:5px 8px;border:1px solid #8d9096;border-radius:3px}
button{font:inherit;font-weight:600;background:#2ca01c;color:#fff;border:0;border-radius:18px;padding:7px 18px;cursor:pointer}
button:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid #0077c5;outline-offset:2px}
.problem{background:#fde8e8;border-left:4px solid #d52b1e;padding:8px 12px}
.done{background:#e5f5e0;border-left:4px solid #2ca01c;padding:8px 12px}
.muted{color:#6b6c72}`,
};

const page = (title: string, body: string) => appPage(brand, title, body);
