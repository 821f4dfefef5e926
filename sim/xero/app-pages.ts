import express, { type Request, type Response, Router } from 'express';
import { formatMinor } from '../../server/shared/money.js';
import { type AppBrand, appPage, esc, formText } from '../kit/html-page.js';
import { addPayment } from './person-routes.js';
import { arr, obj, str, type TenantBooks, type Wire } from './tenant-books.js';
import type { WebhookSender } from './webhooks.js';
import { CENTS, cents, type MonotonicClock, parseWireDate } from './wire-format.js';
import { ValidationFailure } from './xero-errors.js';

/**
 * The Xero web app page the product links to for a sales invoice
 * (`/AccountsReceivable/View.aspx?InvoiceID=…`), plain server-rendered HTML, so a person can look at
 * the invoice and add a payment as they would in Xero. The form goes through the same code as the
 * `/__sim/tenants/:tenantId/payments` person route (payment, then the INVOICE UPDATE webhook).
 */
export function appPages(deps: {
  tenants: Map<string, TenantBooks>;
  clock: MonotonicClock;
  webhooks: WebhookSender;
}): Router {
  const { tenants, clock, webhooks } = deps;
  const router = Router();
  const path = '/AccountsReceivable/View.aspx';

  const located = (req: Request) => {
    const invoiceId = formText(req.query.InvoiceID);
    if (!invoiceId) return undefined;
    for (const books of tenants.values()) {
      const invoice = books.Invoices.find((i) => i.InvoiceID === invoiceId && i.Type === 'ACCREC');
      if (invoice) return { books, invoice };
    }
    return undefined;
  };
  const notFound = (res: Response, invoiceId: string) => {
    res
      .status(404)
      .type('html')
      .send(
        page(
          'Invoice not found',
          `<p class="problem">No sales invoice with id ${esc(invoiceId || '(none)')} in any organisation of this simulator.</p>`,
        ),
      );
  };

  router.get(path, (req, res) => {
    const found = located(req);
    if (!found) return notFound(res, formText(req.query.InvoiceID));
    const added = formText(req.query.added);
    res
      .type('html')
      .send(invoicePage(found.books, found.invoice, added ? { done: `Payment of ${added} added.` } : {}));
  });

  router.post(path, express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const found = located(req);
    if (!found) return notFound(res, formText(req.query.InvoiceID));
    const { books, invoice } = found;
    const amount = formText(req.body?.amount).trim();
    const date = formText(req.body?.date).trim();
    const problem = !/^\d+(\.\d+)?$/.test(amount)
      ? 'Enter an amount greater than zero.'
      : date && !/^\d{4}-\d{2}-\d{2}$/.test(date)
        ? 'Enter the date as YYYY-MM-DD.'
        : undefined;
    if (problem)
      return res
        .status(400)
        .type('html')
        .send(invoicePage(books, invoice, { problem }));
    try {
      addPayment(books, clock, webhooks, {
        invoiceId: String(invoice.InvoiceID),
        amount,
        date: date || undefined,
      });
    } catch (error) {
      if (!(error instanceof ValidationFailure)) throw error;
      return res
        .status(400)
        .type('html')
        .send(invoicePage(books, invoice, { problem: error.messages.join(' ') }));
    }
    res.redirect(
      303,
      `${path}?InvoiceID=${encodeURIComponent(String(invoice.InvoiceID))}&added=${encodeURIComponent(amount)}`,
    );
  });
  return router;
}

interface Notice {
  problem?: string;
  done?: string;
}

/** Xero's `/Date(ms+0000)/` as a plain day. */
const day = (value: unknown): string => {
  const ms = parseWireDate(value);
  return ms === undefined ? '' : new Date(ms).toISOString().slice(0, 10);
};

const plain = (value: unknown): string => formatMinor(cents(value ?? 0), CENTS);

/** An amount as Xero shows it: grouped digits and two decimals. */
const amount = (value: unknown): string => {
  const text = plain(value);
  const [whole, fraction] = text.replace('-', '').split('.');
  return `${text.startsWith('-') ? '-' : ''}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction ?? '00'}`;
};

const statusLabel: Record<string, string> = {
  DRAFT: 'Draft',
  SUBMITTED: 'Awaiting Approval',
  AUTHORISED: 'Awaiting Payment',
  PAID: 'Paid',
  VOIDED: 'Voided',
  DELETED: 'Deleted',
};

function invoicePage(books: TenantBooks, invoice: Wire, note: Notice): string {
  const currency = str(invoice.CurrencyCode) ?? books.baseCurrency;
  const due = cents(invoice.AmountDue ?? 0);
  const status = str(invoice.Status) ?? '';
  const lines = arr(invoice.LineItems)
    .map(
      (line) =>
        `<tr><td>${esc(line.ItemCode ?? '')}</td><td>${esc(line.Description)}</td><td class="num">${esc(line.Quantity ?? '')}</td><td class="num">${esc(line.UnitAmount ?? '')}</td><td>${esc(line.AccountCode ?? '')}</td><td class="num">${esc(amount(line.LineAmount))}</td></tr>`,
    )
    .join('');
  const payments = arr(invoice.Payments)
    .map(
      (p) =>
        `<tr><td>${esc(day(p.Date))}</td><td>Payment</td><td class="num">${esc(amount(p.Amount))}</td></tr>`,
    )
    .concat(
      arr(invoice.CreditNotes).map(
        (c) =>
          `<tr><td>${esc(day(c.Date))}</td><td>Credit note ${esc(c.CreditNoteNumber ?? '')}</td><td class="num">${esc(amount(c.AppliedAmount))}</td></tr>`,
      ),
    );
  const paymentsHtml =
    payments.length === 0
      ? '<p class="muted" data-testid="no-payments">No payments yet.</p>'
      : `<table class="lines" aria-label="Payments" data-testid="payments"><thead><tr><th>Date</th><th>Detail</th><th class="num">Amount</th></tr></thead><tbody>${payments.join('')}</tbody></table>`;
  const formHtml =
    status === 'AUTHORISED' && due > 0n
      ? `<form method="post" action="/AccountsReceivable/View.aspx?InvoiceID=${esc(encodeURIComponent(String(invoice.InvoiceID)))}" class="pay" aria-label="Add payment">
<h2>Add payment</h2>
<label>Amount paid <input name="amount" inputmode="decimal" required value="${esc(formatMinor(due, CENTS))}"></label>
<label>Date paid <input name="date" type="date" value="${esc(new Date().toISOString().slice(0, 10))}"></label>
<button type="submit">Add payment</button>
</form>`
      : `<p class="muted">${status === 'PAID' ? 'This invoice is paid.' : 'Payments can be added to approved invoices only.'}</p>`;
  const fields: [string, unknown][] = [
    ['To', obj(invoice.Contact).Name ?? ''],
    ['Date', day(invoice.Date)],
    ['Due date', day(invoice.DueDate)],
    ['Invoice number', invoice.InvoiceNumber ?? ''],
    ['Reference', invoice.Reference ?? ''],
    ['Organisation', books.name],
  ];
  const body = `${note.problem ? `<p class="problem" role="alert">${esc(note.problem)}</p>` : ''}${note.done ? `<p class="done" role="status">${esc(note.done)}</p>` : ''}
<div class="doc-head"><span class="status" data-testid="status">${esc(statusLabel[status] ?? status)}</span>
<span class="due">Amount due <b data-testid="balance">${esc(amount(invoice.AmountDue))}</b> ${esc(currency)}</span></div>
<dl class="fields">${fields.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<table class="lines" aria-label="Lines">
<thead><tr><th>Item</th><th>Description</th><th class="num">Qty</th><th class="num">Price</th><th>Account</th><th class="num">Amount ${esc(currency)}</th></tr></thead>
<tbody>${lines}</tbody>
<tfoot><tr><td colspan="5">Subtotal</td><td class="num">${esc(amount(invoice.SubTotal))}</td></tr>
<tr><td colspan="5">Total tax</td><td class="num">${esc(amount(invoice.TotalTax))}</td></tr>
<tr class="total"><td colspan="5">Total</td><td class="num" data-testid="total">${esc(amount(invoice.Total))}</td></tr>
<tr><td colspan="5">Less amount paid</td><td class="num">${esc(amount(invoice.AmountPaid))}</td></tr></tfoot>
</table>
<h2>Payments</h2>
${paymentsHtml}
${formHtml}`;
  return page(`Invoice ${String(invoice.InvoiceNumber ?? invoice.InvoiceID)}`, body);
}

const brand: AppBrand = {
  name: 'Xero (simulated)',
  tagline: 'A stand-in for the Xero web app, for the Ledgerpod demo',
  headerClass: 'xero-header',
  style: `
body{margin:0;font:14px/1.45 "Helvetica Neue",Helvetica,Arial,sans-serif;color:#000a1e;background:#f2f4f7}
.xero-header{background:#1ab4d7;background:linear-gradient(90deg,#0b7bb5,#13b5ea);color:#fff;padding:10px 24px;display:flex;align-items:center;gap:12px}
.xero-header b{font-size:17px}.xero-header small{opacity:.9}
main{max-width:920px;margin:24px auto;background:#fff;border:1px solid #d6dade;border-radius:6px;padding:20px 28px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:22px 0 8px}
.doc-head{display:flex;justify-content:space-between;align-items:center;margin-bottom:10px}
.status{font-weight:600;padding:2px 10px;border-radius:3px;background:#e1f4fb;color:#0b5f8a}
.due b{font-size:20px}
.fields{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 12px}
.fields dt{color:#59606d}.fields dd{margin:0}
table.lines{border-collapse:collapse;width:100%}
.lines th,.lines td{border-bottom:1px solid #e6e9ec;padding:6px 8px;text-align:left}
.lines th{font-size:12px;color:#59606d}
.num{text-align:right!important}.total td{font-weight:700}
.pay{margin-top:18px;padding:14px;border:1px solid #d6dade;border-radius:6px;background:#f8fafb;display:flex;gap:14px;align-items:end;flex-wrap:wrap}
.pay h2{width:100%;margin:0}.pay label{display:flex;flex-direction:column;font-size:12px;color:#59606d;gap:3px}
.pay input{font:inherit;padding:5px 8px;border:1px solid #8b929c;border-radius:3px}
button{font:inherit;font-weight:600;background:#0078c8;color:#fff;border:0;border-radius:3px;padding:7px 16px;cursor:pointer}
button:focus-visible,input:focus-visible{outline:2px solid #000a1e;outline-offset:2px}
.problem{background:#fdecea;border-left:4px solid #de0e40;padding:8px 12px}
.done{background:#e6f6ef;border-left:4px solid #0d8a4c;padding:8px 12px}
.muted{color:#59606d}`,
};

const page = (title: string, body: string) => appPage(brand, title, body);
