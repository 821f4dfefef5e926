import type { Exchange } from '../../../sim/xero/exchange-log.js';
import { loadXeroValidator, type XeroValidator } from './openapi-validator.js';

/** Which component schema a request or response body of an accounting endpoint must match. */
export function schemasFor(exchange: Pick<Exchange, 'method' | 'path'> & { requestBody?: unknown }): {
  request?: string;
  response?: string;
  element?: string;
} {
  const [collection = '', , sub] = (exchange.path.split('/2.0/')[1] ?? '').split('/');
  // deleteCreditNoteAllocations answers one Allocation (with IsDeleted) and takes no body.
  if (sub === 'Allocations' && exchange.method === 'DELETE') return { response: 'Allocation' };
  if (sub === 'Allocations')
    return { request: 'Allocations', response: 'Allocations', element: 'Allocation' };
  if (sub === 'History' || sub === 'Attachments' || sub === 'pdf') return {};
  if (collection === 'Payments') {
    return {
      // PUT is createPayments ({Payments:[...]}, xero_accounting.yaml) or a bare Payment; POST
      // /Payments/{id} is deletePayment.
      request:
        exchange.method === 'PUT'
          ? (exchange.requestBody as { Payments?: unknown } | undefined)?.Payments
            ? 'Payments'
            : 'Payment'
          : 'PaymentDelete',
      response: 'Payments',
      element: 'Payment',
    };
  }
  if (collection === 'Organisation') return { response: 'Organisations' };
  return { request: collection, response: collection, element: collection.replace(/s$/, '') };
}

/**
 * A 400 is the Error schema, but Xero echoes the whole failed document in each element, which the
 * spec's Element leaves out: the echoed fields are checked against the document's own schema.
 */
function validateError(spec: XeroValidator, body: unknown, element: string | undefined): string[] {
  const { Elements = [], ...envelope } = body as { Elements?: Record<string, unknown>[] };
  return [
    ...spec.validate('Error', envelope),
    ...Elements.flatMap(({ ValidationErrors, ...echoed }) => [
      ...spec.validate('Element', { ValidationErrors }),
      ...(element ? spec.validate(element, echoed) : []),
    ]),
  ];
}

/**
 * Problems of one exchange against xero_accounting.yaml: the request body (when `checkRequest`),
 * a 2xx answer against the collection's schema, a 400 against Error. Other statuses (429, 5xx,
 * 401) carry Xero's problem-details bodies, which the accounting spec does not describe.
 */
export function exchangeProblems(spec: XeroValidator, exchange: Exchange, checkRequest = true): string[] {
  const names = schemasFor(exchange);
  const label = `${exchange.method} ${exchange.path}`;
  const problems: string[] = [];
  if (checkRequest && exchange.requestBody !== undefined && names.request) {
    problems.push(...spec.validate(names.request, exchange.requestBody).map((p) => `request ${label}: ${p}`));
  }
  const answer =
    exchange.status === 400
      ? validateError(spec, exchange.responseBody, names.element)
      : exchange.status >= 200 && exchange.status < 300 && names.response
        ? spec.validate(names.response, exchange.responseBody)
        : [];
  problems.push(...answer.map((p) => `response ${label} ${exchange.status}: ${p}`));
  return problems;
}

let shared: XeroValidator | undefined;
/** One validator per test file (the spec takes ~1.5 s to parse). */
export const xeroSpec = (): XeroValidator => {
  shared ??= loadXeroValidator();
  return shared;
};
