import { Router } from 'express';
import { z } from 'zod';
import { deliverInvoiceCallbacks } from '../callbacks.js';
import { invalidObject, notFound } from '../errors.js';
import { patchInvoice } from '../invoice-patch.js';
import { invoiceWire, minus, plus } from '../invoice-wire.js';
import { applyPatch } from '../json-patch.js';
import { idParam, sendPage } from '../paging.js';
import type { InvoiceRecord } from '../seed-schema.js';
import type { ConnectWiseState, Payment } from '../state.js';

const paymentBody = z.object({
  amount: z.number().positive(),
  paymentDate: z.string().min(1),
  type: z.string().default('Payment'),
  invoice: z.object({ id: z.number().int() }).loose().optional(),
});

const originOf = (req: { protocol: string; get(name: string): string | undefined }) =>
  `${req.protocol}://${req.get('host')}`;

/** Invoices, their payments, and the changes that fire invoice callbacks. */
export function invoiceRoutes(state: ConnectWiseState): Router {
  const router = Router();
  const find = (id: number): InvoiceRecord => {
    const invoice = state.invoices.get(id);
    if (!invoice) throw notFound(`Invoice ${id}`);
    return invoice;
  };

  router.get('/finance/invoices', (req, res) =>
    sendPage(
      req,
      res,
      [...state.invoices.values()].map((invoice) => invoiceWire(invoice, state.behaviours.invoiceGlBatch)),
    ),
  );
  router.get('/finance/invoices/:id', (req, res) => {
    res.json(invoiceWire(find(idParam(req)), state.behaviours.invoiceGlBatch));
  });
  router.patch('/finance/invoices/:id', async (req, res) => {
    const invoice = find(idParam(req));
    patchInvoice(state, invoice, req.body);
    res.json(invoiceWire(invoice, state.behaviours.invoiceGlBatch));
    await deliverInvoiceCallbacks(state, originOf(req), invoice, 'updated');
  });

  router.get('/finance/invoices/:id/payments', (req, res) => {
    const id = find(idParam(req)).id;
    sendPage(
      req,
      res,
      // A credit application shows on the credit memo too.
      state.payments.filter((p) => p.invoice.id === id || p.creditMemo?.id === id),
    );
  });
  /** The invoice's own payments (credit memo applications are listed beside them, not counted). */
  const paymentsOf = (invoiceId: number) =>
    state.payments.filter((p) => p.invoice.id === invoiceId && !p.creditMemo);
  /**
   * PATCH /finance/invoices/{parentId}/payments/{id} with JSON-patch operations (connectwise-rest
   * ManageTypes patchFinanceInvoicesByParentIdPaymentsById, answering the Payment). Only `amount`
   * and `paymentDate` are changed here; the invoice's balance follows the amount, and more than the
   * balance is refused as a new payment is.
   */
  router.patch('/finance/invoices/:id/payments/:paymentId', (req, res) => {
    const invoice = find(idParam(req));
    const payment = paymentsOf(invoice.id).find((p) => p.id === Number(req.params.paymentId));
    if (!payment) throw notFound(`Payment ${req.params.paymentId}`);
    const changed = { amount: payment.amount, paymentDate: payment.paymentDate };
    applyPatch(changed, req.body);
    const amount = z.number().positive().safeParse(changed.amount);
    if (!amount.success) throw invalidObject('Payment', 'amount', 'amount must be a positive number');
    const balance = plus(invoice, invoiceWire(invoice).balance, payment.amount);
    if (amount.data > balance) {
      throw invalidObject('Payment', 'amount', `Payment amount exceeds the invoice balance of ${balance}`);
    }
    invoice.payments = plus(invoice, minus(invoice, invoice.payments, payment.amount), amount.data);
    invoice.balance = minus(invoice, balance, amount.data);
    payment.amount = amount.data;
    payment.paymentDate = String(changed.paymentDate);
    res.json(payment);
  });
  router.post('/finance/invoices/:id/payments', (req, res) => {
    const invoice = find(idParam(req));
    const parsed = paymentBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidObject('Payment', String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
    }
    // Switch paymentsPerInvoice (state.ts): 'one' refuses a second payment, as integration vendors
    // report of real CW (Zynk updates the existing payment instead; domain.md §8). Unverified.
    if (state.behaviours.paymentsPerInvoice === 'one' && paymentsOf(invoice.id).length > 0) {
      throw invalidObject(
        'Payment',
        'invoice',
        'This invoice already has a payment; update the existing payment',
      );
    }
    const balance = invoiceWire(invoice).balance;
    if (parsed.data.amount > balance) {
      throw invalidObject('Payment', 'amount', `Payment amount exceeds the invoice balance of ${balance}`);
    }
    const payment: Payment = {
      id: state.nextId(),
      type: parsed.data.type,
      invoice: { id: invoice.id, identifier: invoice.invoiceNumber },
      amount: parsed.data.amount,
      paymentDate: parsed.data.paymentDate,
      appliedBy: 'ledgerpod',
    };
    state.payments.push(payment);
    invoice.payments = plus(invoice, invoice.payments, payment.amount);
    invoice.balance = minus(invoice, balance, payment.amount);
    res.status(201).json(payment);
  });
  /**
   * DELETE /finance/invoices/{parentId}/payments/{id}: 204 No Content (connectwise-rest ManageTypes,
   * deleteFinanceInvoicesByParentIdPaymentsById). Whether CW refuses to delete a payment whose
   * invoice is already in a GL batch is not published: switch batchedPaymentDelete (state.ts).
   */
  router.delete('/finance/invoices/:id/payments/:paymentId', (req, res) => {
    const invoice = find(idParam(req));
    const paymentId = Number(req.params.paymentId);
    const index = state.payments.findIndex((p) => p.id === paymentId && p.invoice.id === invoice.id);
    if (index < 0) throw notFound(`Payment ${req.params.paymentId}`);
    if (state.behaviours.batchedPaymentDelete === 'refused' && invoice.glBatch) {
      throw invalidObject(
        'Payment',
        'id',
        `Invoice ${invoice.invoiceNumber} is posted in GL batch ${invoice.glBatch.name}; its payments cannot be deleted`,
      );
    }
    const [payment] = state.payments.splice(index, 1);
    invoice.payments = minus(invoice, invoice.payments, payment!.amount);
    invoice.balance = plus(invoice, invoiceWire(invoice).balance, payment!.amount);
    res.status(204).end();
  });
  return router;
}

/** Simulator-only: what a person does in CW's UI. */
export function invoiceControlRoutes(state: ConnectWiseState): Router {
  const router = Router();
  /**
   * A person edits the invoice screen and saves (number, status...): the same JSON-patch body and
   * the same rules as the API's PATCH, answered with CW's error body when refused.
   */
  router.patch('/__sim/invoices/:id', async (req, res) => {
    const invoice = state.invoices.get(idParam(req));
    if (!invoice) throw notFound(`Invoice ${req.params.id}`);
    patchInvoice(state, invoice, req.body);
    await deliverInvoiceCallbacks(state, originOf(req), invoice, 'updated');
    res.json(invoiceWire(invoice, state.behaviours.invoiceGlBatch));
  });
  router.post('/__sim/invoices/:id/close', async (req, res) => {
    const invoice = state.invoices.get(Number(req.params.id));
    if (!invoice) {
      res.status(404).json({ error: `no invoice ${req.params.id}` });
      return;
    }
    // A person picks a status whose closedFlag is set (the tenant's first by sortOrder, unless the
    // body names one): CW's closed is the flag, whatever the status is called.
    const wanted = (req.body ?? {}) as { statusId?: number };
    const status = [...state.billingStatuses]
      .sort((a, b) => a.sortOrder - b.sortOrder)
      .find((s) => s.closedFlag && !s.inactiveFlag && (wanted.statusId ?? s.id) === s.id);
    if (!status) {
      const named = wanted.statusId ? ` and id ${wanted.statusId}` : '';
      res.status(409).json({ error: `no active billing status with closedFlag${named}` });
      return;
    }
    invoice.status = { id: status.id, name: status.name };
    invoice.dateClosed = new Date(state.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    await deliverInvoiceCallbacks(state, originOf(req), invoice, 'updated');
    res.json(invoiceWire(invoice, state.behaviours.invoiceGlBatch));
  });
  /**
   * A person applies a credit memo to an invoice in CW's UI: the invoice's `credits` grow and its
   * balance falls, the credit memo's open credit falls, and the application is listed among both
   * records' payments as a `Credit Memo` row naming the credit memo (default: its whole balance).
   */
  router.post('/__sim/invoices/:id/apply-credit', async (req, res) => {
    const invoice = state.invoices.get(Number(req.params.id));
    const body = (req.body ?? {}) as { creditMemoId?: number; amount?: number; date?: string };
    const credit = state.invoices.get(Number(body.creditMemoId));
    if (!invoice || !credit || credit.type !== 'CreditMemo') {
      res.status(404).json({ error: `no invoice ${req.params.id} or credit memo ${body.creditMemoId}` });
      return;
    }
    const open = Math.abs(invoiceWire(credit).balance);
    const amount = Math.min(body.amount ?? open, open, invoiceWire(invoice).balance);
    if (!(amount > 0)) {
      res.status(400).json({ error: 'nothing to apply' });
      return;
    }
    const payment: Payment = {
      id: state.nextId(),
      type: 'Credit Memo',
      invoice: { id: invoice.id, identifier: invoice.invoiceNumber },
      creditMemo: { id: credit.id, identifier: credit.invoiceNumber },
      amount,
      paymentDate: body.date ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      appliedBy: 'cw-user',
    };
    state.payments.push(payment);
    invoice.credits = plus(invoice, invoice.credits, amount);
    invoice.balance = minus(invoice, invoiceWire(invoice).balance, amount);
    // A credit memo's amounts are negative: applying it moves them towards zero.
    credit.credits = minus(credit, credit.credits, amount);
    credit.balance = plus(credit, invoiceWire(credit).balance, amount);
    await deliverInvoiceCallbacks(state, originOf(req), invoice, 'updated');
    await deliverInvoiceCallbacks(state, originOf(req), credit, 'updated');
    res.status(201).json(payment);
  });
  return router;
}

export function referenceRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.get('/company/companies', (req, res) => sendPage(req, res, [...state.companies.values()]));
  router.get('/company/companies/:id', (req, res) => {
    const company = state.companies.get(idParam(req));
    if (!company) throw notFound(`Company ${req.params.id}`);
    res.json(company);
  });
  router.get('/finance/glAccounts', (req, res) => sendPage(req, res, state.glAccounts));
  router.get('/finance/taxCodes', (req, res) => sendPage(req, res, state.taxCodes));
  return router;
}
