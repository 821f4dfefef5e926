/** One JSON-patch operation, as ConnectWise's PATCH endpoints take them. */
export interface PatchOperation {
  op: 'replace';
  path: string;
  value: unknown;
}

/** ConnectWise's answer to a save: the updated invoice, or its error body `{code, message, errors}`. */
export interface EditResult {
  status: number;
  body: unknown;
}

export type InvoiceEditor = (invoiceId: number, operations: PatchOperation[]) => Promise<EditResult>;

/**
 * A person saving the invoice screen: the ConnectWise simulator applies the same JSON-patch its API
 * PATCH takes, with the same rules (a closed status creates the GL entries, a new number must fit),
 * and fires the invoice callbacks.
 */
export function invoiceEditorFromCwSim(cwSimUrl: string): InvoiceEditor {
  return async (invoiceId, operations) => {
    const response = await fetch(new URL(`/__sim/invoices/${invoiceId}`, cwSimUrl), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(operations),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
}

/** The screen's changed fields as JSON-patch operations; unchanged fields are left out. */
export function operationsFor(change: { invoiceNumber?: string; statusId?: number }): PatchOperation[] {
  const operations: PatchOperation[] = [];
  if (change.invoiceNumber !== undefined)
    operations.push({ op: 'replace', path: 'invoiceNumber', value: change.invoiceNumber });
  if (change.statusId !== undefined)
    operations.push({ op: 'replace', path: 'status', value: { id: change.statusId } });
  return operations;
}
