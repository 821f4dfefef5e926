import { Router } from 'express';
import { booksOf, queryOf } from './api-context.js';
import { whereFilter } from './query.js';
import type { TenantBooks } from './tenant-books.js';
import { msDate } from './wire-format.js';

const msDay = (day: string | undefined) => (day ? msDate(Date.parse(`${day}T00:00:00Z`)) : undefined);

/** Read-only lists the product shows in its mapping pickers. */
export function referenceRoutes(): Router {
  const router = Router();
  const collections: (keyof Pick<TenantBooks, 'Accounts' | 'TaxRates' | 'TrackingCategories' | 'Items'>)[] = [
    'Accounts',
    'TaxRates',
    'TrackingCategories',
    'Items',
  ];
  for (const collection of collections) {
    router.get(`/api.xro/2.0/${collection}`, (req, res) => {
      const q = queryOf(req);
      const where = whereFilter(q.where);
      const archived = q.includearchived === 'true' || collection === 'Accounts' || collection === 'TaxRates';
      res.json({
        [collection]: booksOf(res)[collection].filter(
          (e) => where(e) && (archived || e.Status !== 'ARCHIVED'),
        ),
      });
    });
  }
  /**
   * GET /Organisation: the one organisation the token's tenant is, in the shape of the published
   * OpenAPI example (xero_accounting.yaml, /Organisation). `BaseCurrency` is what manual journals
   * are in: they carry no currency of their own (domain.md §8).
   */
  router.get('/api.xro/2.0/Organisation', (_req, res) => {
    const books = booksOf(res);
    res.json({
      Organisations: [
        {
          OrganisationID: books.tenantId,
          Name: books.name,
          LegalName: books.name,
          PaysTax: true,
          Version: 'GLOBAL',
          OrganisationType: 'COMPANY',
          BaseCurrency: books.baseCurrency,
          IsDemoCompany: false,
          OrganisationStatus: 'ACTIVE',
          OrganisationEntityType: 'COMPANY',
          // "Shown if set" (xero_accounting.yaml): absent, not null, when there is no lock.
          ...(books.lockDates.period ? { PeriodLockDate: msDay(books.lockDates.period) } : {}),
          ...(books.lockDates.endOfYear ? { EndOfYearLockDate: msDay(books.lockDates.endOfYear) } : {}),
          Addresses: [],
          Phones: [],
          ExternalLinks: [],
          PaymentTerms: {},
        },
      ],
    });
  });
  return router;
}
