import { invoice } from '../support/pipeline-world.js';

/**
 * A CW invoice like the real ISK one in domain.md §8: ISK has 0 decimals (numberOfDecimals 0) but
 * the invoice says total 4546628.64, tax 879992.64. Built at 2 dp (the fixture computes exact
 * amounts at its decimals), then marked as CW marks ISK.
 */
export function realIskInvoice(cwId: number, number = `ISK-${cwId}`) {
  const built = invoice(cwId, number, {
    currency: { currencyCode: 'ISK', numberOfDecimals: 2 },
    lines: [{ description: 'Rekstrarþjónusta', quantity: 1, unitPrice: 3_666_636, accountNumber: '4000' }],
    taxRate: 24,
  });
  built.invoice.currency = { ...built.invoice.currency, numberOfDecimals: 0 };
  built.glTransaction.currency = { ...built.glTransaction.currency, numberOfDecimals: 0 };
  return built;
}
