import { type Request, type Response, Router, text } from 'express';
import { guardClosedBooks } from './closed-books.js';
import type { EntityService } from './entity-service.js';
import { faults, QboFault, qboTime } from './qbo-fault.js';
import { parseQuery, QuerySyntaxError, runQuery } from './query-language.js';
import { checkQueryable } from './queryable-fields.js';
import {
  type Entity,
  type EntityName,
  entityByLowerName,
  type Realm,
  type RealmStore,
} from './realm-store.js';

export const maxBatchItems = 30;
const cdcWindowDays = 30;
const cdcMaxObjects = 1000;
const lastUpdated = (row: Record<string, unknown>) =>
  new Date(
    String((row.MetaData as { LastUpdatedTime?: unknown } | undefined)?.LastUpdatedTime ?? ''),
  ).getTime() || 0;

/** The QBO v3 accounting API: entities, query, batch and CDC under /v3/company/{realm}. */
export function v3Routes(store: RealmStore, service: EntityService): Router {
  const router = Router();
  const realmOf = (req: Request) => store.realm(String(req.params.realm));

  router.post('/v3/company/:realm/batch', (req, res) => {
    replayable(req, res, () => {
      const items = (req.body?.BatchItemRequest ?? []) as Record<string, unknown>[];
      if (!Array.isArray(items) || items.length > maxBatchItems)
        throw faults.validation(
          `A batch request may hold at most ${maxBatchItems} items`,
          'BatchItemRequest',
        );
      const realm = realmOf(req);
      const BatchItemResponse = items.map((item) => {
        try {
          return { bId: item.bId, ...batchItem(realm, service, item) };
        } catch (error) {
          // Inside a batch a failed item is a Fault in an HTTP 200, beside the items that worked.
          if (error instanceof QboFault) return { bId: item.bId, Fault: error.body().Fault };
          throw error;
        }
      });
      return { BatchItemResponse, time: qboTime() };
    });
  });

  const query = (req: Request, res: Response) => {
    const text = typeof req.body === 'string' && req.body.trim() ? req.body : req.query.query;
    res.json({ QueryResponse: runQueryText(realmOf(req), String(text ?? '')), time: qboTime() });
  };
  router.get('/v3/company/:realm/query', query);
  router.post('/v3/company/:realm/query', text({ type: ['application/text', 'text/plain'] }), query);

  router.get('/v3/company/:realm/cdc', (req, res) => {
    const names = String(req.query.entities ?? '')
      .split(',')
      .map((n) => entityNameOf(n.trim()));
    const since = new Date(String(req.query.changedSince ?? ''));
    if (Number.isNaN(since.getTime()))
      throw faults.validation(`Invalid changedSince: ${String(req.query.changedSince)}`, 'changedSince');
    if (Date.now() - since.getTime() > cdcWindowDays * 86_400_000)
      throw faults.validation(`changedSince must be within the last ${cdcWindowDays} days`, 'changedSince');
    const realm = realmOf(req);
    const QueryResponse = names.map((name) => {
      const changed: Record<string, unknown>[] = realm
        .all(name)
        .filter((e) => new Date(e.MetaData.LastUpdatedTime) >= since);
      const deleted = realm.deletions
        .filter((d) => d.entity === name && new Date(d.at) >= since)
        .map((d) => ({ domain: 'QBO', status: 'Deleted', Id: d.id, MetaData: { LastUpdatedTime: d.at } }));
      // Intuit's "Change data capture operation" page: changes within the last 30 days, "a maximum
      // of 1,000 objects" per response (query shorter periods to see all). Which 1,000 Intuit keeps
      // when more changed is not documented: the oldest first is our guess, the one a client that
      // asks again from the last change it saw (server/ledgers/quickbooks/client.ts) needs.
      const rows = [...changed, ...deleted]
        .sort((a, b) => lastUpdated(a) - lastUpdated(b))
        .slice(0, cdcMaxObjects);
      return rows.length === 0 ? {} : { [name]: rows, startPosition: 1, maxResults: rows.length };
    });
    res.json({ CDCResponse: [{ QueryResponse }], time: qboTime() });
  });

  // The company's settings; TaxPrefs and Country decide how it takes tax (see tax-rules.ts).
  router.get('/v3/company/:realm/preferences', (req, res) => {
    const { company, booksClose } = realmOf(req);
    res.json({
      Preferences: {
        domain: 'QBO',
        Id: '1',
        SyncToken: '0',
        TaxPrefs: { UsingSalesTax: company.UsingSalesTax, PartnerTaxEnabled: company.PartnerTaxEnabled },
        AccountingInfoPrefs: {
          TrackDepartments: false,
          ClassTrackingPerTxn: false,
          ...(booksClose.date && booksClose.shownInPreferences ? { BookCloseDate: booksClose.date } : {}),
        },
        CurrencyPrefs: { MultiCurrencyEnabled: true },
      },
      time: qboTime(),
    });
  });
  router.get('/v3/company/:realm/companyinfo/:id', (req, res) => {
    const realm = realmOf(req);
    if (String(req.params.id) !== realm.id) throw faults.notFound('CompanyInfo', String(req.params.id));
    const { company } = realm;
    res.json({
      CompanyInfo: {
        domain: 'QBO',
        Id: realm.id,
        SyncToken: '0',
        CompanyName: company.CompanyName,
        LegalName: company.CompanyName,
        Country: company.Country,
      },
      time: qboTime(),
    });
  });

  router.get('/v3/company/:realm/:entity/:id', (req, res) => {
    const name = entityNameOf(String(req.params.entity));
    res.json({ [name]: service.read(realmOf(req), name, String(req.params.id)), time: qboTime() });
  });

  router.post('/v3/company/:realm/:entity', (req, res) => {
    replayable(req, res, () => {
      const name = entityNameOf(String(req.params.entity));
      const body = (req.body ?? {}) as Record<string, unknown>;
      let operation = String(req.query.operation ?? (body.Id !== undefined ? 'update' : 'create'));
      // A Payment is voided by a sparse update with include=void (Intuit's Payment reference, quoted
      // in Wish-Org/QuickBooksSharp#8; node-quickbooks voidPayment sends exactly that). An Invoice
      // by operation=void.
      if (operation === 'update' && req.query.include === 'void') operation = 'void';
      return { [name]: write(realmOf(req), service, name, operation, body), time: qboTime() };
    });
  });
  return router;
}

function write(
  realm: Realm,
  service: EntityService,
  name: EntityName,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  const existing = operation === 'create' ? undefined : realm.find(name, body.Id as string | undefined);
  guardClosedBooks(realm, name, body, existing, new Date().toISOString().slice(0, 10));
  switch (operation) {
    case 'create':
      return service.create(realm, name, body);
    case 'update':
      return service.update(realm, name, body);
    case 'delete':
      return service.delete(realm, name, body);
    case 'void':
      return service.void(realm, name, body);
    default:
      throw faults.unsupported(`Unsupported operation ${operation}`);
  }
}

function batchItem(realm: Realm, service: EntityService, item: Record<string, unknown>) {
  if (typeof item.Query === 'string') return { QueryResponse: runQueryText(realm, item.Query) };
  const key = Object.keys(item).find((k) => entityByLowerName.has(k.toLowerCase()));
  if (!key) throw faults.validation('Batch item names no entity', 'BatchItemRequest');
  const name = entityNameOf(key);
  return { [name]: write(realm, service, name, String(item.operation ?? 'create'), item[key] as Entity) };
}

export function entityNameOf(raw: string): EntityName {
  const name = entityByLowerName.get(raw.toLowerCase());
  if (!name) throw faults.unsupported(`Unsupported entity ${raw}`);
  return name;
}

function runQueryText(realm: Realm, text: string): Record<string, unknown> {
  try {
    const parsed = parseQuery(text);
    const name = entityNameOf(parsed.entity);
    checkQueryable(name, parsed.where);
    const { rows, totalCount } = runQuery(parsed, realm.all(name));
    if (parsed.count) return { totalCount };
    if (rows.length === 0) return {};
    return { [name]: rows, startPosition: parsed.startPosition, maxResults: rows.length };
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw faults.syntax(error.message);
    throw error;
  }
}

/**
 * `requestid` makes a write idempotent per company: a repeat returns the first answer and does
 * nothing. Only successful answers are kept, so a request refused for bad data can be retried
 * once the data is fixed (QBO's behaviour for repeated failures is not documented).
 */
function replayable(req: Request, res: Response, run: () => unknown): void {
  const requestId = typeof req.query.requestid === 'string' ? req.query.requestid : undefined;
  const realm = (res.locals.realm as Realm | undefined) ?? undefined;
  const key = requestId && realm ? requestId : undefined;
  const earlier = key ? realm!.replies.get(key) : undefined;
  if (earlier) {
    res.status(earlier.status).json(earlier.body);
    return;
  }
  const body = run();
  if (key) realm!.replies.set(key, { status: 200, body });
  res.json(body);
}
