import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { type ApiContext, booksOf, elementsOf, listParam, queryOf } from './api-context.js';
import { selectPage, whereFilter } from './query.js';
import { sameText, str, type TenantBooks, type Wire } from './tenant-books.js';
import { msDate } from './wire-format.js';
import { sendNotFound, sendValidation, ValidationFailure } from './xero-errors.js';

/** Contacts: find (where, ContactNumber, searchTerm, IDs), create (PUT), create-or-update (POST). */
export function contactRoutes(ctx: ApiContext): Router {
  const router = Router();
  const base = '/api.xro/2.0/Contacts';

  router.get(base, (req, res) => {
    const q = queryOf(req);
    const where = whereFilter(q.where);
    const ids = listParam(q.ids);
    const term = q.searchterm?.toLowerCase();
    const matching = booksOf(res).Contacts.filter(
      (c) =>
        where(c) &&
        (!ids || ids.includes(String(c.ContactID))) &&
        (q.contactnumber === undefined || sameText(c.ContactNumber, q.contactnumber)) &&
        (q.includearchived === 'true' || c.ContactStatus !== 'ARCHIVED') &&
        (!term ||
          [c.Name, c.FirstName, c.LastName, c.EmailAddress, c.ContactNumber, c.CompanyNumber].some((v) =>
            str(v)?.toLowerCase().includes(term),
          )),
    );
    const page = selectPage(matching, {
      modifiedSince: req.get('if-modified-since'),
      order: q.order ?? 'Name ASC',
      page: q.page,
      pageSize: q.pagesize,
    });
    res.json({ ...(page.pagination ? { pagination: page.pagination } : {}), Contacts: page.items });
  });

  router.get(`${base}/:id`, (req, res) => {
    const contact = booksOf(res).Contacts.find(
      (c) => c.ContactID === req.params.id || sameText(c.ContactNumber, req.params.id),
    );
    if (!contact) return sendNotFound(res, `Contact ${req.params.id}`);
    res.json({ Contacts: [contact] });
  });

  const write =
    (allowUpdate: boolean) => (req: import('express').Request, res: import('express').Response) => {
      const books = booksOf(res);
      const saved: Wire[] = [];
      for (const element of elementsOf(req.body, 'Contacts')) {
        const unknown =
          allowUpdate && element.ContactID && !books.Contacts.some((c) => c.ContactID === element.ContactID);
        if (unknown && ctx.behaviours.unknownContactId === 'not-found')
          return sendNotFound(res, `Contact ${str(element.ContactID)}`);
        try {
          const contact = saveContact(
            books,
            unknown && ctx.behaviours.unknownContactId === 'create'
              ? { ...element, ContactID: undefined }
              : element,
            allowUpdate,
            ctx.clock.now(),
          );
          saved.push(contact.saved);
          ctx.webhooks.notify(
            books.tenantId,
            'CONTACT',
            String(contact.saved.ContactID),
            contact.created ? 'CREATE' : 'UPDATE',
          );
        } catch (error) {
          if (error instanceof ValidationFailure) return sendValidation(res, error);
          throw error;
        }
      }
      res.json({ Contacts: saved });
    };
  router.put(base, write(false));
  router.post(base, write(true));
  return router;
}

function saveContact(books: TenantBooks, input: Wire, allowUpdate: boolean, now: number) {
  const existing = allowUpdate
    ? books.Contacts.find((c) => input.ContactID && c.ContactID === input.ContactID)
    : undefined;
  // A ContactID that names no contact: switch UnknownContactId (api-context.ts) ('refuse' here; the route
  // answers 'not-found' and strips the id for 'create').
  if (allowUpdate && input.ContactID && !existing)
    throw new ValidationFailure(input, [`Contact ${str(input.ContactID)} could not be found`]);
  const name = str(input.Name) ?? str(existing?.Name);
  if (!name || name.trim() === '') throw new ValidationFailure(input, ['The contact name must be specified']);
  if (name.length > 255)
    throw new ValidationFailure(input, ['The contact name must be 255 characters or less']);
  const clash = books.Contacts.find(
    (c) => c !== existing && c.ContactStatus !== 'ARCHIVED' && sameText(c.Name, name),
  );
  if (clash) {
    throw new ValidationFailure(input, [
      `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`,
    ]);
  }
  const saved: Wire = {
    ContactStatus: 'ACTIVE',
    ...(existing ?? {}),
    ...input,
    ContactID: str(existing?.ContactID) ?? randomUUID(),
    Name: name,
    UpdatedDateUTC: msDate(now),
  };
  if (existing) Object.assign(existing, saved);
  else books.Contacts.push(saved);
  return { saved, created: !existing };
}
