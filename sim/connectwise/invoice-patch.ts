import { invalidObject } from './errors.js';
import { applyPatch } from './json-patch.js';
import { billingStatusOf, isInvoiceClosed } from './posting.js';
import type { InvoiceRecord } from './seed-schema.js';
import type { ConnectWiseState } from './state.js';

/** CW's limit on `Invoice.invoiceNumber` (connectwise-rest: "Max length: 15"). */
const maxNumberLength = 15;

const nowUtc = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Applies a JSON-patch (CW's PATCH wire format) to an invoice the way CW's invoice screen saves it:
 * all or nothing, refusing what CW refuses, and with the side effects a person relies on. Closing
 * (a billing status with `closedFlag`) stamps `dateClosed`, which makes the invoice's GL entries
 * unposted; a new number follows through to its GL transaction, whose `documentNumber` it is.
 * Shared by the API's PATCH and the simulated screen, so both behave alike.
 */
export function patchInvoice(state: ConnectWiseState, invoice: InvoiceRecord, operations: unknown): void {
  const draft = structuredClone(invoice) as InvoiceRecord;
  applyPatch(draft as Record<string, unknown>, operations);
  if (draft.id !== invoice.id) throw invalidObject('Invoice', 'id', 'id cannot be changed');

  const number = typeof draft.invoiceNumber === 'string' ? draft.invoiceNumber.trim() : '';
  const renamed = number !== invoice.invoiceNumber;
  if (renamed) checkNewNumber(state, invoice, number);
  draft.invoiceNumber = number;

  const wasClosed = isInvoiceClosed(state, invoice);
  if (statusChanged(invoice, draft)) {
    const wanted = draft.status as { id?: unknown; name?: unknown };
    const status = billingStatusOf(state, wanted);
    if (!status || status.inactiveFlag)
      throw invalidObject('Invoice', 'status', `Billing status ${wanted.id ?? wanted.name} does not exist`);
    // The reference only, as CW keeps it: whether it is closed is the status's closedFlag, read from
    // the table each time (isInvoiceClosed), so an admin changing the flag changes the invoice.
    draft.status = { id: status.id, name: status.name };
    if (!wasClosed && status.closedFlag) draft.dateClosed = nowUtc();
  }

  if (renamed) {
    const gl = state.glTransactions.get(invoice.invoiceNumber);
    if (gl) {
      state.glTransactions.delete(invoice.invoiceNumber);
      state.glTransactions.set(number, { ...gl, documentNumber: number });
    }
  }
  // In place: routes and other records hold this object.
  for (const key of Object.keys(invoice)) delete (invoice as Record<string, unknown>)[key];
  Object.assign(invoice, draft);
}

function checkNewNumber(state: ConnectWiseState, invoice: InvoiceRecord, number: string): void {
  if (!number) throw invalidObject('Invoice', 'invoiceNumber', 'invoiceNumber is required');
  if (number.length > maxNumberLength)
    throw invalidObject(
      'Invoice',
      'invoiceNumber',
      `invoiceNumber may not exceed ${maxNumberLength} characters`,
    );
  const taken = [...state.invoices.values()].some(
    (other) => other.id !== invoice.id && other.invoiceNumber.toLowerCase() === number.toLowerCase(),
  );
  if (taken) throw invalidObject('Invoice', 'invoiceNumber', `Invoice number ${number} is already in use`);
  // A posted invoice's number is in the accounting batch already; reverse the batch first.
  if (invoice.glBatch)
    throw invalidObject(
      'Invoice',
      'invoiceNumber',
      `Invoice ${invoice.invoiceNumber} is posted in batch ${invoice.glBatch.name}; its number cannot change`,
    );
}

function statusChanged(before: InvoiceRecord, after: InvoiceRecord): boolean {
  const a = before.status as { id?: unknown; name?: unknown };
  const b = (after.status ?? {}) as { id?: unknown; name?: unknown };
  return a.id !== b.id || a.name !== b.name;
}
