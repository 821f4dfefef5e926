import { Router } from 'express';
import { createBatch, deleteBatch } from '../batches.js';
import { notFound } from '../errors.js';
import { buildGlExport, type ExportRequest, exportKeys } from '../gl-export.js';
import { countOf, idParam, sendPage } from '../paging.js';
import { isUnposted, unpostedKeys } from '../posting.js';
import { batchWire, type ConnectWiseState, type RecordKind } from '../state.js';
import { unpostedExpenseWire, unpostedInvoiceWire, unpostedProcurementWire } from '../unposted-wire.js';

const kinds: Record<string, RecordKind> = {
  unpostedinvoices: 'invoice',
  unpostedexpenses: 'expense',
  unpostedprocurement: 'procurement',
};

/** CW's Accounting Interface: unposted lists, preview export, and batches that mark records posted. */
export function accountingRoutes(state: ConnectWiseState): Router {
  const router = Router();
  const wire = (kind: RecordKind, id: number): unknown => {
    if (kind === 'invoice') return unpostedInvoiceWire(state, state.invoices.get(id)!);
    if (kind === 'expense') return unpostedExpenseWire(state.expenses.get(id)!);
    return unpostedProcurementWire(state.procurement.get(id)!);
  };
  const unposted = (kind: RecordKind) => unpostedKeys(state, kind).map((key) => wire(kind, key.id));

  for (const [segment, kind] of Object.entries(kinds)) {
    router.get(`/finance/accounting/${segment}`, (req, res) => sendPage(req, res, unposted(kind)));
    router.get(`/finance/accounting/${segment}/count`, (req, res) => {
      res.json(countOf(req, unposted(kind)));
    });
    router.get(`/finance/accounting/${segment}/:id`, (req, res) => {
      const id = idParam(req);
      if (!isUnposted(state, { kind, id })) throw notFound(`Unposted ${kind} ${id}`);
      res.json(wire(kind, id));
    });
  }

  router.post('/finance/accounting/export', (req, res) => {
    res.json(buildGlExport(state, exportKeys(state, (req.body ?? {}) as ExportRequest)));
  });

  router.get('/finance/accounting/batches', (req, res) => {
    sendPage(req, res, [...state.batches.values()].map(batchWire));
  });
  router.get('/finance/accounting/batches/count', (req, res) => {
    res.json(countOf(req, [...state.batches.values()].map(batchWire)));
  });
  router.get('/finance/accounting/batches/:id', (req, res) => {
    const batch = state.batches.get(idParam(req));
    if (!batch) throw notFound(`AccountingBatch ${req.params.id}`);
    res.json(batchWire(batch));
  });
  router.get('/finance/accounting/batches/:id/entries', (req, res) => {
    const batch = state.batches.get(idParam(req));
    if (!batch) throw notFound(`AccountingBatch ${req.params.id}`);
    sendPage(
      req,
      res,
      batch.entryIds.map((id) => ({ id })),
    );
  });
  router.post('/finance/accounting/batches', (req, res) => {
    const { glExport } = createBatch(state, req.body ?? {});
    res.status(201).json(glExport);
  });
  router.delete('/finance/accounting/batches/:id', (req, res) => {
    deleteBatch(state, idParam(req));
    res.status(204).end();
  });
  return router;
}
