import type { Response } from 'express';

/** A QBO Fault raised inside the simulator; rendered with the HTTP status QBO uses for it. */
export class QboFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail: string,
    readonly element: string | undefined = undefined,
    readonly type: string = 'ValidationFault',
    readonly status: number = 400,
  ) {
    super(message);
  }

  body() {
    return {
      Fault: {
        Error: [{ Message: this.message, Detail: this.detail, code: this.code, element: this.element ?? '' }],
        type: this.type,
      },
      time: qboTime(),
    };
  }
}

/** QBO stamps responses with a local time and offset; UTC with an explicit offset is close enough. */
export const qboTime = (date = new Date()) => date.toISOString().replace('Z', '-00:00');

export const faults = {
  duplicateNumber: (number: string) =>
    new QboFault(
      '6140',
      'Duplicate Document Number Error',
      `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${number} is assigned to TxnType=Invoice with TxnId=`,
    ),
  validation: (detail: string, element?: string) =>
    new QboFault(
      '6000',
      'A business validation error has occurred while processing your request',
      detail,
      element,
    ),
  requiredParam: (element: string) =>
    new QboFault(
      '6000',
      'Required param missing, need to supply the required value for the API',
      `Required parameter ${element} is missing in the request`,
      element,
    ),
  invalidReference: (element: string, id: string) =>
    new QboFault(
      '6000',
      'Invalid Reference Id',
      `Invalid Reference Id : ${element} assigned is not found or not active : ${id}`,
      element,
    ),
  staleObject: (id: string, sent: string, current: string) =>
    new QboFault(
      '5010',
      'Stale Object Error : You and root were working on the same thing at the same time. root finished before you did, so your work was not saved.',
      `Stale Object Error : ${id} with SyncToken ${sent} is stale; current SyncToken is ${current}`,
    ),
  notFound: (entity: string, id: string) =>
    new QboFault(
      '610',
      'Object Not Found',
      `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ${entity} ${id}`,
    ),
  syntax: (detail: string) => new QboFault('4000', 'Error parsing query', `QueryParserError: ${detail}`),
  unsupported: (detail: string) => new QboFault('500', 'Unsupported Operation', detail),
};

/** 401 from QBO's gateway: note the lowercase `fault.error` shape, unlike every other error. */
export function sendAuthFault(res: Response, detail: string): void {
  res.status(401).json({
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail,
          code: '3200',
          element: null,
        },
      ],
      type: 'AUTHENTICATION',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: Date.now(),
    status: null,
    cdcresponse: [],
  });
}

/**
 * 403 ApplicationAuthorizationFailed, in the gateway's lowercase shape with the envelope's null
 * fields, as published in frappe/erpnext#29161 and intuit/oauth-jsclient#2 (test/conformance/
 * quickbooks/forbidden-3100.json). A refresh does not lift it.
 */
export function sendForbiddenFault(res: Response): void {
  res.status(403).json({
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
          detail: null,
          code: '3100',
          element: null,
        },
      ],
      type: 'SERVICE',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: Date.now(),
    status: null,
    cdcresponse: [],
  });
}

export function sendThrottled(res: Response, retryAfterSeconds: number): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(429).json({
    Fault: {
      Error: [
        {
          Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
          Detail: 'The request limit was reached.',
          code: '3001',
        },
      ],
      type: 'ThrottleExceeded',
    },
    time: qboTime(),
  });
}

export function sendSystemFault(res: Response): void {
  res.status(500).json({
    Fault: {
      Error: [
        {
          Message: 'An application error has occurred while processing your request',
          Detail: 'System Failure Error: An unexpected error occurred while accessing or saving your data.',
          code: '10000',
        },
      ],
      type: 'SystemFault',
    },
    time: qboTime(),
  });
}
