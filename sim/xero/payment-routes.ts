import { Router } from 'express';
import { type ApiContext, booksOf, elementsOf, queryOf } from './api-context.js';
import { selectPage, whereFilter } from './query.js';
import { deletePayment, recordPayment } from './settlements.js';
import { obj, str, type Wire } from './tenant-books.js';
import { sendNotFound, sendValidation, ValidationFailure } from './xero-errors.js';

/** Payments: list (If-Modified-Since, where, page), create, and delete by POSTing Status DELETED. */
export function paymentRoutes(ctx: ApiContext): Router {
  const router = Router();
  const base = '/api.xro/2.0/Payments';

  router.get(base, (req, res) => {
    const q = queryOf(req);
    const where = whereFilter(q.where);
    const page = selectPage(booksOf(res).Payments.filter(where), {
      modifiedSince: req.get('if-modified-since'),
      order: q.order,
      page: q.page,
      pageSize: q.pagesize,
    });
    res.json({ ...(page.pagination ? { pagination: page.pagination } : {}), Payments: page.items });
  });

  router.get(`${base}/:id`, (req, res) => {
    const payment = booksOf(res).Payments.find((p) => p.PaymentID === req.params.id);
    if (!payment) return sendNotFound(res, `Payment ${req.params.id}`);
    res.json({ Payments: [payment] });
  });

  router.put(base, (req, res) => {
    const books = booksOf(res);
    const saved: Wire[] = [];
    for (const element of elementsOf(req.body, 'Payments')) {
      try {
        const payment = recordPayment(books, element, ctx.clock.now());
        saved.push(payment);
        ctx.webhooks.notify(books.tenantId, 'INVOICE', String(obj(payment.Invoice).InvoiceID), 'UPDATE');
      } catch (error) {
        if (error instanceof ValidationFailure) return sendValidation(res, error);
        throw error;
      }
    }
    res.json({ Payments: saved });
  });

  router.post(`${base}/:id`, (req, res) => {
    const books = booksOf(res);
    const [element] = elementsOf(req.body, 'Payments');
    if (str(element?.Status) !== 'DELETED') {
      return sendValidation(
        res,
        new ValidationFailure(element ?? {}, ['Only Status DELETED can be set on a payment']),
      );
    }
    try {
      const payment = deletePayment(books, req.params.id, ctx.clock.now());
      if (!payment) return sendNotFound(res, `Payment ${req.params.id}`);
      ctx.webhooks.notify(books.tenantId, 'INVOICE', String(obj(payment.Invoice).InvoiceID), 'UPDATE');
      res.json({ Payments: [payment] });
    } catch (error) {
      if (error instanceof ValidationFailure) return sendValidation(res, error);
      throw error;
    }
  });
  return router;
}
