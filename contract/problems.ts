/**
 * The API contract between the server and the pod (issue 17 item 5): the JSON the server answers,
 * declared once, which the server's view builders are typed against and the pod reads. Types and
 * small const arrays only: the pod bundles what it imports, and nothing here may import the server,
 * the pod or the simulators.
 */

/** An error as the API answers it (`{error}`) and as a record's failure shows. */
export interface Problem {
  code: string;
  message: string;
  hint?: string;
}

/** A CW code a mapping failure lacks, in the connection the record routes to. */
export interface Unmapped {
  connectionId: string;
  kind: 'gl_account' | 'tax_code';
  cwKey: string;
}

/** A record's stored failure: whether a retry can help, and the CW codes a mapping failure lacks. */
export interface RecordError extends Problem {
  retryable: boolean;
  unmapped?: Unmapped[];
}
