import { CwHttpError } from './errors.js';

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/** Applies CW-style JSON-patch operations (add, replace, remove) to a plain object in place. */
export function applyPatch(target: Record<string, unknown>, operations: unknown): void {
  if (!Array.isArray(operations)) throw new CwHttpError(400, 'InvalidObject', 'PATCH body must be an array');
  for (const operation of operations as PatchOperation[]) {
    const keys = String(operation?.path ?? '')
      .split('/')
      .filter(Boolean);
    const last = keys.pop();
    if (!last) throw new CwHttpError(400, 'InvalidObject', `invalid patch path ${operation?.path}`);
    let parent: Record<string, unknown> = target;
    for (const key of keys) {
      const actual = Object.keys(parent).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
      if (typeof parent[actual] !== 'object' || parent[actual] === null) parent[actual] = {};
      parent = parent[actual] as Record<string, unknown>;
    }
    const field = Object.keys(parent).find((k) => k.toLowerCase() === last.toLowerCase()) ?? last;
    const op = String(operation.op).toLowerCase();
    if (op === 'remove') delete parent[field];
    else if (op === 'replace' || op === 'add') parent[field] = operation.value;
    else throw new CwHttpError(400, 'InvalidObject', `unsupported patch op ${operation.op}`);
  }
}
