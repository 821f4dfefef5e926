/**
 * The books' names as the pod writes them in sentences and links: the contract's, the same the
 * server's OAuth pages and errors use (contract/ledger-kinds.ts).
 */
export {
  isLedgerKind,
  ledgerKinds,
  ledgerLabels as ledgerNames,
  ledgerShortLabels as ledgerShortNames,
} from '../../../contract/ledger-kinds.js';
