import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * ConnectWise's own wire types, as connectwise-rest generates them from CW's OpenAPI document
 * (`ManageTypes.d.ts`): for each schema, its property names and the schema each one refers to.
 * Used to tell a field ConnectWise documents from one our simulator invented.
 */
export type CwTypes = Map<string, Map<string, string | undefined>>;

let cached: CwTypes | undefined;
export function cwTypes(): CwTypes {
  if (cached) return cached;
  const path = createRequire(import.meta.url).resolve('connectwise-rest/dist/ManageTypes.d.ts');
  const types: CwTypes = new Map();
  let current: Map<string, string | undefined> | undefined;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const open = /^ {8}(\w+): \{$/.exec(line);
    if (open) {
      current = new Map();
      types.set(open[1]!, current);
      continue;
    }
    if (/^ {8}\};?$/.test(line)) {
      current = undefined;
      continue;
    }
    // A property on one line (`id?: number;`) or opening an inline object (`_info?: {`).
    const prop = current && /^ {12}"?([\w ]+?)"?\??: (.*?)(;|\{)$/.exec(line);
    if (prop) current!.set(prop[1]!, /components\["schemas"\]\["(\w+)"\]/.exec(prop[2]!)?.[1]);
  }
  cached = types;
  return types;
}

/** Paths of `value` (from schema `root`) that ConnectWise's types do not define. */
export function undocumentedPaths(value: unknown, root: string): string[] {
  const types = cwTypes();
  const found: string[] = [];
  const visit = (v: unknown, type: string | undefined, path: string): void => {
    if (Array.isArray(v)) {
      for (const item of v) visit(item, type, `${path}[]`);
      return;
    }
    if (v === null || typeof v !== 'object' || !type) return;
    const props = types.get(type);
    if (!props) return;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const here = path ? `${path}.${key}` : key;
      if (!props.has(key)) found.push(here);
      else visit(child, props.get(key), here);
    }
  };
  visit(value, root, '');
  return [...new Set(found)];
}
