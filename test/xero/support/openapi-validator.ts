import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Xero bodies checked against `xero_accounting.yaml` by well-kept tools: the `yaml` parser reads the
 * spec, Ajv compiles each component schema once (per test file) and validates. $refs stay refs, so
 * the circular ones (Invoice → Payments → Payment → Invoice, CreditNote → Allocations → Allocation →
 * Invoice) are checked by Ajv's recursive references, never skipped or cut off.
 *
 * One deliberate tightening of the spec (`closed`, the default): every object schema with
 * `properties` gets `additionalProperties: false`, so a misspelt or invented field fails. That is
 * the rule for what the product sends and what our simulator answers. Real Xero answers carry
 * fields the spec leaves out (the envelope's Id/Status/ProviderName/DateTimeUTC, DateString, ID):
 * check those with `closed: false`, the spec as published (test/conformance/xero.test.ts).
 */

export const xeroSpecPath = fileURLToPath(
  new URL('../../../../shared/specs/xero/xero_accounting.yaml', import.meta.url),
);

type Json = Record<string, unknown>;

/** Deep copy with `additionalProperties: false` on each object schema that lists its properties. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` and `example` map names to schemas/values, not schemas: copy the values only.
    if (key === 'properties' && value && typeof value === 'object') {
      copy[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, closeObjects(s)]));
    } else if (key === 'example') copy[key] = value;
    else copy[key] = closeObjects(value);
  }
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

// ajv-formats is CommonJS with a default export; under NodeNext its namespace is the callable.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface XeroValidator {
  /** Problems (`/path: message`) found validating `value` as `#/components/schemas/<name>`; [] if it fits. */
  validate(name: string, value: unknown): string[];
  /** The component schema names, for tests that pick one. */
  readonly names: string[];
}

const SPEC_ID = 'xero_accounting.yaml';

/**
 * The spec's component schemas. Only the top-level `components:` block is parsed (the paths, with
 * their long examples, take five times longer and are not needed), and the result is kept as JSON
 * in the OS temp folder keyed by the spec's hash, so each test file after the first reads it at once.
 */
function componentSchemas(path: string): Json {
  const source = readFileSync(path, 'utf8');
  const cache = join(
    tmpdir(),
    `ledgerpod-xero-schemas-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.json`,
  );
  try {
    return JSON.parse(readFileSync(cache, 'utf8')) as Json;
  } catch {
    const at = source.indexOf('\ncomponents:\n');
    const schemas = (parse(source.slice(at)) as { components: { schemas: Json } }).components.schemas;
    // Written under a unique name, then renamed: a concurrent reader never sees half a file.
    const partial = `${cache}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(schemas));
    renameSync(partial, cache);
    return schemas;
  }
}

export function loadXeroValidator(options: { closed?: boolean; path?: string } = {}): XeroValidator {
  const { closed = true, path = xeroSpecPath } = options;
  const spec = { components: { schemas: componentSchemas(path) } };
  // strict:false — the spec carries vendor keywords (x-is-money, x-is-msdate, example) Ajv would
  // otherwise refuse; they are annotations, not rules.
  // inlineRefs: false compiles each referenced schema once instead of copying it into every user.
  const ajv = new Ajv({ strict: false, allErrors: true, inlineRefs: false });
  addFormats(ajv);
  // OpenAPI numeric formats say how wide a number is, not what it looks like.
  for (const format of ['double', 'float', 'int', 'int32', 'int64']) ajv.addFormat(format, true);
  const schemas = closed ? closeObjects(spec.components.schemas) : spec.components.schemas;
  ajv.addSchema({ $id: SPEC_ID, components: { schemas } });
  const compiled = new Map<string, ValidateFunction>();
  const names = Object.keys(spec.components.schemas);
  const format = (e: ErrorObject): string => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  };
  return {
    names,
    validate(name, value) {
      if (!names.includes(name)) return [`no schema ${name} in ${SPEC_ID}`];
      let check = compiled.get(name);
      if (!check) {
        check = ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
        if (!check) return [`cannot compile ${name}`];
        compiled.set(name, check);
      }
      return check(value) ? [] : (check.errors ?? []).map(format);
    },
  };
}
