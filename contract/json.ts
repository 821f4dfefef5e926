/**
 * A contract type as the server may hold it before `res.json`: a Date where the contract says text,
 * since JSON writes a Date as its ISO text (Date.prototype.toJSON). The server checks such a value
 * with `satisfies Sendable<T>`; the pod reads T.
 */
export type Sendable<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? Sendable<U>[]
    : T extends object
      ? { [K in keyof T]: Sendable<T[K]> }
      : T;
