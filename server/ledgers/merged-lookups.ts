import { coalesced } from '../outbound/coalesce.js';
import type { DocumentType, Ledger, LedgerDocumentRef } from './ledger.js';

/**
 * The ledger with look-ups of one number merged across the pushes of this connection running
 * together (coalesce.ts): a bill or journal is looked up by its number before every create, and N
 * of them pushed at once then share one query (QBO `DocNumber IN (...)`, Xero `InvoiceNumbers=`).
 */
export function withMergedLookups(ledger: Ledger): Ledger {
  const loaders = new Map<DocumentType, (number: string) => Promise<LedgerDocumentRef | undefined>>();
  const loaderOf = (type: DocumentType) => {
    let load = loaders.get(type);
    if (!load) {
      load = coalesced((numbers: string[]) => ledger.findByNumbers(type, numbers));
      loaders.set(type, load);
    }
    return load;
  };
  return {
    ...ledger,
    async findByNumbers(type, numbers) {
      if (numbers.length !== 1) return ledger.findByNumbers(type, numbers);
      const [number] = numbers as [string];
      const found = await loaderOf(type)(number);
      return new Map(found ? [[number, found]] : []);
    },
  };
}
