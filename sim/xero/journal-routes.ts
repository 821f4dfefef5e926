import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { type ApiContext, booksOf, elementsOf, queryOf } from './api-context.js';
import { lockProblems } from './lock-dates.js';
import { selectPage, whereFilter } from './query.js';
import { arr, sameText, str, type TenantBooks, type Wire } from './tenant-books.js';
import { cents, money, msDate, wireDay } from './wire-format.js';
import { sendNotFound, sendValidation, ValidationFailure } from './xero-errors.js';

/** Manual journals: list, get, create (PUT) and update (POST /ManualJournals/{id}). */
export function journalRoutes(ctx: ApiContext): Router {
  const router = Router();
  const base = '/api.xro/2.0/ManualJournals';

  router.get(base, (req, res) => {
    const q = queryOf(req);
    const page = selectPage(booksOf(res).ManualJournals.filter(whereFilter(q.where)), {
      modifiedSince: req.get('if-modified-since'),
      order: q.order,
      page: q.page,
      pageSize: q.pagesize,
    });
    // Lines only with `page`: xero_accounting.yaml, GET /ManualJournals, parameter page ("Up to 100
    // manual journals will be returned in a single API call with line items shown"); without it
    // each journal comes with JournalLines: [] (domain.md §8). Read one by id to see its lines.
    const items = q.page === undefined ? page.items.map((j) => ({ ...j, JournalLines: [] })) : page.items;
    res.json({ ...(page.pagination ? { pagination: page.pagination } : {}), ManualJournals: items });
  });

  router.get(`${base}/:id`, (req, res) => {
    const journal = booksOf(res).ManualJournals.find((j) => j.ManualJournalID === req.params.id);
    if (!journal) return sendNotFound(res, `ManualJournal ${req.params.id}`);
    res.json({ ManualJournals: [journal] });
  });

  const write = (req: Request, res: Response, pathId: string | undefined) => {
    const books = booksOf(res);
    const saved: Wire[] = [];
    for (const element of elementsOf(req.body, 'ManualJournals')) {
      const id = pathId ?? str(element.ManualJournalID);
      const existing = id ? books.ManualJournals.find((j) => j.ManualJournalID === id) : undefined;
      if (id && !existing) return sendNotFound(res, `ManualJournal ${id}`);
      try {
        saved.push(saveJournal(books, element, existing, ctx.clock.now()));
      } catch (error) {
        if (error instanceof ValidationFailure) return sendValidation(res, error);
        throw error;
      }
    }
    res.json({ ManualJournals: saved });
  };
  router.put(base, (req, res) => write(req, res, undefined));
  router.post(base, (req, res) => write(req, res, undefined));
  router.post(`${base}/:id`, (req, res) => write(req, res, req.params.id));
  return router;
}

function saveJournal(books: TenantBooks, input: Wire, existing: Wire | undefined, now: number): Wire {
  const merged = { ...(existing ?? {}), ...input };
  const lines = arr(merged.JournalLines);
  const problems: string[] = [];
  if (!str(merged.Narration)) problems.push('Narration is required');
  if (lines.length < 2) problems.push('A manual journal must have at least two lines');
  for (const line of lines) {
    if (!books.Accounts.some((a) => sameText(a.Code, line.AccountCode))) {
      problems.push(`Account code '${str(line.AccountCode) ?? ''}' is not a valid code for this document.`);
    }
  }
  const debits = lines.reduce((sum, l) => (cents(l.LineAmount) > 0n ? sum + cents(l.LineAmount) : sum), 0n);
  const credits = lines.reduce((sum, l) => (cents(l.LineAmount) < 0n ? sum - cents(l.LineAmount) : sum), 0n);
  if (debits !== credits) {
    problems.push(`The total debits (${money(debits)}) must equal total credits (${money(credits)})`);
  }
  if (existing && existing.Status !== 'DRAFT' && existing.Status !== 'POSTED') {
    problems.push('Manual journal not of valid status for modification');
  }
  const status = str(merged.Status) ?? 'DRAFT';
  problems.push(...lockProblems(books, wireDay(merged.Date, now).ms, status));
  if (existing)
    problems.push(...lockProblems(books, wireDay(existing.Date, now).ms, str(existing.Status) ?? ''));
  if (problems.length > 0) throw new ValidationFailure(input, [...new Set(problems)]);
  const journal: Wire = {
    ManualJournalID: str(existing?.ManualJournalID) ?? randomUUID(),
    Narration: merged.Narration,
    Date: wireDay(merged.Date, now).wire,
    Status: status,
    LineAmountTypes: str(merged.LineAmountTypes) ?? 'NoTax',
    JournalLines: lines.map((l) => ({ ...l, LineAmount: money(cents(l.LineAmount)) })),
    ShowOnCashBasisReports: merged.ShowOnCashBasisReports ?? true,
    HasAttachments: false,
    UpdatedDateUTC: msDate(now),
  };
  if (existing) Object.assign(existing, journal);
  else books.ManualJournals.push(journal);
  return journal;
}
