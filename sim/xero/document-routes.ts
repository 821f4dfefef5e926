import { Router } from 'express';
import { type ApiContext, booksOf, elementsOf, listParam, queryOf } from './api-context.js';
import { creditNoteKind, type DocumentKind, upsertDocument } from './documents.js';
import { selectPage, whereFilter } from './query.js';
import { allocateCredit, deleteAllocation } from './settlements.js';
import { obj, sameText, str, type Wire } from './tenant-books.js';
import { sendNotFound, sendValidation, ValidationFailure, validationException } from './xero-errors.js';

/** GET / PUT / POST for Invoices (bills are ACCPAY invoices) and CreditNotes. */
export function documentRoutes(kind: DocumentKind, ctx: ApiContext): Router {
  const router = Router();
  const base = `/api.xro/2.0/${kind.collection}`;
  const category = kind.collection === 'Invoices' ? 'INVOICE' : 'CREDITNOTE';

  router.get(base, (req, res) => {
    const books = booksOf(res);
    const q = queryOf(req);
    const ids = listParam(q.ids);
    const numbers = listParam(q.invoicenumbers);
    const contactIds = listParam(q.contactids);
    const statuses = listParam(q.statuses);
    const where = whereFilter(q.where);
    const matching = books[kind.collection].filter(
      (doc) =>
        (!ids || ids.some((id) => sameText(id, doc[kind.idField]))) &&
        (!numbers || numbers.some((n) => sameText(n, doc[kind.numberField]))) &&
        (!contactIds || contactIds.includes(String(obj(doc.Contact).ContactID))) &&
        (!statuses || statuses.includes(String(doc.Status))) &&
        where(doc),
    );
    const page = selectPage(matching, {
      modifiedSince: req.get('if-modified-since'),
      order: q.order,
      page: q.page,
      pageSize: q.pagesize,
    });
    res.json({ ...(page.pagination ? { pagination: page.pagination } : {}), [kind.collection]: page.items });
  });

  router.get(`${base}/:id`, (req, res) => {
    const doc = booksOf(res)[kind.collection].find(
      (d) => sameText(d[kind.idField], req.params.id) || sameText(d[kind.numberField], req.params.id),
    );
    if (!doc) return sendNotFound(res, `${kind.collection} ${req.params.id}`);
    res.json({ [kind.collection]: [doc] });
  });

  const write =
    (mode: 'create' | 'upsert', pathId?: string) =>
    (req: import('express').Request, res: import('express').Response) => {
      const books = booksOf(res);
      const saved: Wire[] = [];
      const failed: ReturnType<typeof validationException>['Elements'] = [];
      for (const element of elementsOf(req.body, kind.collection)) {
        const id = pathId ?? str(element[kind.idField]);
        const existing =
          mode === 'create'
            ? undefined
            : books[kind.collection].find(
                (d) =>
                  (id && sameText(d[kind.idField], id)) ||
                  (!id &&
                    element[kind.numberField] &&
                    d.Type === element.Type &&
                    sameText(d[kind.numberField], element[kind.numberField])),
              );
        if (pathId && !existing) return sendNotFound(res, `${kind.collection} ${pathId}`);
        try {
          const doc = upsertDocument(books, kind, element, existing, ctx.clock.now());
          saved.push(doc);
          ctx.webhooks.notify(
            books.tenantId,
            category,
            String(doc[kind.idField]),
            existing ? 'UPDATE' : 'CREATE',
          );
        } catch (error) {
          if (!(error instanceof ValidationFailure)) throw error;
          failed.push(...validationException(error.element, error.messages).Elements);
        }
      }
      // Like Xero, valid documents in a batch are saved even when others fail: send one per request.
      if (failed.length > 0) {
        res.status(400).json({ ...validationException({}, []), Elements: failed });
        return;
      }
      res.json({ [kind.collection]: saved });
    };
  router.put(base, write('create'));
  router.post(base, write('upsert'));
  router.post(`${base}/:id`, (req, res) => write('upsert', req.params.id)(req, res));

  if (kind === creditNoteKind) {
    router.put(`${base}/:id/Allocations`, (req, res) => {
      const books = booksOf(res);
      const allocations: Wire[] = [];
      for (const element of elementsOf(req.body, 'Allocations')) {
        try {
          const result = allocateCredit(books, req.params.id, element, ctx.clock.now());
          if (!result) return sendNotFound(res, `CreditNote ${req.params.id}`);
          allocations.push(result.allocation);
          ctx.webhooks.notify(books.tenantId, 'INVOICE', String(result.invoice.InvoiceID), 'UPDATE');
          ctx.webhooks.notify(books.tenantId, 'CREDITNOTE', req.params.id, 'UPDATE');
        } catch (error) {
          if (error instanceof ValidationFailure) return sendValidation(res, error);
          throw error;
        }
      }
      res.json({ Allocations: allocations });
    });
    router.delete(`${base}/:id/Allocations/:allocationId`, (req, res) => {
      const books = booksOf(res);
      try {
        const result = deleteAllocation(books, req.params.id, req.params.allocationId, ctx.clock.now());
        if (!result) return sendNotFound(res, `Allocation ${req.params.allocationId}`);
        if (result.invoice)
          ctx.webhooks.notify(books.tenantId, 'INVOICE', String(result.invoice.InvoiceID), 'UPDATE');
        ctx.webhooks.notify(books.tenantId, 'CREDITNOTE', req.params.id, 'UPDATE');
        // The spec answers one Allocation, not the envelope (deleteCreditNoteAllocations "200").
        res.json(result.allocation);
      } catch (error) {
        if (error instanceof ValidationFailure) return sendValidation(res, error);
        throw error;
      }
    });
  }
  return router;
}
