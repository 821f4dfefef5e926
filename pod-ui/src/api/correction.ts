import { type AuthorizedFetch, call } from './client.js';

/** What a correction will change (server/correction/correction-preview.ts), amounts as text. */
export interface CorrectionPreview {
  number: string;
  currency: string;
  books: string;
  batched: boolean;
  before: { total: string; tax: string; subtotal: string; balance: string } | null;
  after: {
    total: string;
    tax: string;
    subtotal: string;
    lines: { description: string; amount: string }[] | null;
  };
  changes: { field: 'total' | 'tax' | 'subtotal'; before: string; after: string }[];
  unapply: {
    kind: 'payment' | 'credit';
    id: string;
    amount: string;
    date: string;
    creditNumber: string | null;
  }[];
  blocked: { code: string; message: string } | null;
}

export interface CorrectionStatus {
  id: string;
  status: 'running' | 'done' | 'failed';
  step: string;
  error: { code: string; message: string; hint?: string } | null;
  settlements: { kind: 'payment' | 'credit'; state: 'saved' | 'removed' | 'restored' }[];
}

export interface CorrectionAnswer {
  preview: CorrectionPreview;
  correction: CorrectionStatus | null;
}

const at = (cwId: string | number) =>
  `/api/v1/records/invoice/${encodeURIComponent(String(cwId))}/correction`;

export const readCorrection = (f: AuthorizedFetch, cwId: string | number) =>
  call<CorrectionAnswer>(f, 'GET', at(cwId));
export const startCorrection = (f: AuthorizedFetch, cwId: string | number) =>
  call<CorrectionAnswer>(f, 'POST', at(cwId), {});
