/**
 * The backend's JSON contract, as the pod reads it: declared once in contract/ (shared with the
 * server, which is typed against it) and re-exported here for the pod's modules.
 */
export type { Role } from '../../../contract/admin.js';
export type { Problem, Unmapped } from '../../../contract/problems.js';
export type {
  DocumentPreview,
  PushCheck,
  RecheckAnswer as Recheck,
} from '../../../contract/push-check.js';
export type {
  Credit,
  LedgerKind,
  Payment,
  RecordDetail,
  RecordList,
  RecordRow,
  RecordState,
  RecordType,
  StateCounts,
} from '../../../contract/records.js';
