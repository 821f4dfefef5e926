import { Router } from 'express';
import { booksOf, queryOf } from './api-context.js';
import { whereFilter } from './query.js';
import type { TenantBooks } from './tenant-books.js';

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
  return router;
}
