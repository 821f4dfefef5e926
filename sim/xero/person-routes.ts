import { type Response, Router } from 'express';
import { z } from 'zod';
import { invoiceKind, upsertDocument } from './documents.js';
import { allocateCredit, deletePayment, recordPayment } from './settlements.js';
import type { TenantBooks, Wire } from './tenant-books.js';
import type { WebhookSender } from './webhooks.js';
import type { MonotonicClock } from './wire-format.js';
import { sendNotFound, sendValidation, ValidationFailure } from './xero-errors.js';

const amount = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]);
const paymentBody = z.object({
  invoiceId: z.string(),
  amount,
  date: z.string().optional(),
  accountCode: z.string().optional(),
  reference: z.string().optional(),
});
const allocateBody = z.object({
  creditNoteId: z.string(),
  invoiceId: z.string(),
  amount,
  date: z.string().optional(),
});

/** "Add payment" on an invoice in the Xero web app: the payment, then the INVOICE UPDATE event. */
export function addPayment(
  books: TenantBooks,
  clock: MonotonicClock,
  webhooks: WebhookSender,
  body: {
    invoiceId: string;
    amount: number | string;
    date?: string | undefined;
    accountCode?: string | undefined;
    reference?: string | undefined;
  },
): Wire {
  const payment = recordPayment(
    books,
    {
      Invoice: { InvoiceID: body.invoiceId },
      Amount: body.amount,
      Date: body.date,
      ...(body.accountCode ? { Account: { Code: body.accountCode } } : {}),
      ...(body.reference ? { Reference: body.reference } : {}),
    },
    clock.now(),
  );
  webhooks.notify(books.tenantId, 'INVOICE', body.invoiceId, 'UPDATE');
  return payment;
}

/**
 * What a bookkeeper does in the Xero web app, outside the product: record a payment, apply a credit
 * note, delete a payment. Lives under /__sim because it is not part of Xero's API.
 */
export function personRoutes(
  tenants: Map<string, TenantBooks>,
  clock: MonotonicClock,
  webhooks: WebhookSender,
): Router {
  const router = Router();
  const withBooks = (tenantId: string, res: Response, act: (books: TenantBooks) => void) => {
    const books = tenants.get(tenantId);
    if (!books) return sendNotFound(res, `Tenant ${tenantId}`);
    try {
      act(books);
    } catch (error) {
      if (error instanceof ValidationFailure) return sendValidation(res, error);
      throw error;
    }
  };

  router.post('/__sim/tenants/:tenantId/payments', (req, res) => {
    const body = paymentBody.parse(req.body);
    withBooks(req.params.tenantId, res, (books) => {
      res.json({ Payments: [addPayment(books, clock, webhooks, body)] });
    });
  });

  /** Lock dates set in Financial settings (null clears one), and the connecting user's role. */
  router.post('/__sim/tenants/:tenantId/lock-dates', (req, res) => {
    const body = z
      .object({
        periodLockDate: z.iso.date().nullable().optional(),
        endOfYearLockDate: z.iso.date().nullable().optional(),
        adviser: z.boolean().optional(),
      })
      .parse(req.body);
    withBooks(req.params.tenantId, res, (books) => {
      const locks = books.lockDates;
      if (body.periodLockDate !== undefined) locks.period = body.periodLockDate ?? undefined;
      if (body.endOfYearLockDate !== undefined) locks.endOfYear = body.endOfYearLockDate ?? undefined;
      if (body.adviser !== undefined) locks.adviser = body.adviser;
      res.json(locks);
    });
  });

  router.post('/__sim/tenants/:tenantId/payments/:id/delete', (req, res) => {
    withBooks(req.params.tenantId, res, (books) => {
      const payment = deletePayment(books, req.params.id, clock.now());
      if (!payment) return sendNotFound(res, `Payment ${req.params.id}`);
      res.json({ Payments: [payment] });
    });
  });

  /**
   * A bookkeeper edits an unpaid invoice in the Xero web app (its first line's unit amount), voids
   * one, or keys one in by hand as a copy of another (same contact, lines and number): each through
   * the API's own rules (documents.ts), then the INVOICE event Xero sends.
   */
  router.post('/__sim/tenants/:tenantId/invoices/:id/:action', (req, res) => {
    const action = z.enum(['edit', 'void', 'copy']).parse(req.params.action);
    const body = z.object({ unitAmount: amount.optional() }).parse(req.body ?? {});
    withBooks(req.params.tenantId, res, (books) => {
      const existing = books.Invoices.find((i) => i.InvoiceID === req.params.id);
      if (!existing) return sendNotFound(res, `Invoice ${req.params.id}`);
      const now = clock.now();
      let saved: Wire;
      if (action === 'void') saved = upsertDocument(books, invoiceKind, { Status: 'VOIDED' }, existing, now);
      else if (action === 'edit') {
        const lines = (existing.LineItems as Wire[]).map((line, i) =>
          i === 0 && body.unitAmount !== undefined
            ? { ...line, UnitAmount: Number(body.unitAmount), LineAmount: undefined, TaxAmount: undefined }
            : line,
        );
        saved = upsertDocument(books, invoiceKind, { LineItems: lines }, existing, now);
      } else {
        const {
          InvoiceID: _id,
          Payments: _p,
          CreditNotes: _c,
          AmountPaid: _a,
          AmountCredited: _b,
          ...copy
        } = existing;
        const lines = (existing.LineItems as Wire[]).map(({ LineItemID: _l, ...line }) => line);
        saved = upsertDocument(
          books,
          invoiceKind,
          { ...copy, LineItems: lines, Status: 'AUTHORISED' },
          undefined,
          now,
        );
      }
      webhooks.notify(
        books.tenantId,
        'INVOICE',
        String(saved.InvoiceID),
        action === 'copy' ? 'CREATE' : 'UPDATE',
      );
      res.json({ Invoices: [saved] });
    });
  });

  router.post('/__sim/tenants/:tenantId/allocate', (req, res) => {
    const body = allocateBody.parse(req.body);
    withBooks(req.params.tenantId, res, (books) => {
      const result = allocateCredit(
        books,
        body.creditNoteId,
        { Invoice: { InvoiceID: body.invoiceId }, Amount: body.amount, Date: body.date },
        clock.now(),
      );
      if (!result) return sendNotFound(res, `CreditNote ${body.creditNoteId}`);
      webhooks.notify(books.tenantId, 'INVOICE', body.invoiceId, 'UPDATE');
      res.json({ Allocations: [result.allocation] });
    });
  });
  return router;
}
