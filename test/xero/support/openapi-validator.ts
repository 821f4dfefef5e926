import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYamlSection } from './openapi-yaml.js';

type Schema = Record<string, unknown>;
const specPath = fileURLToPath(
  new URL('../../../../shared/specs/xero/xero_accounting.yaml', import.meta.url),
);

/** The component schemas of xero_accounting.yaml. */
export function loadXeroSchemas(): Record<string, Schema> {
  const source = readFileSync(specPath, 'utf8');
  // `  schemas:` first appears under `components:`, after every path.
  const componentsAt = source.indexOf('\ncomponents:\n');
  return parseYamlSection(source.slice(componentsAt), '  schemas:') as Record<string, Schema>;
}

/**
 * Checks a JSON value against a component schema: $ref resolved, property names known, required
 * present, types and enums right. Returns the problems as `path: message`.
 */
export function validateAgainst(schemas: Record<string, Schema>, name: string, value: unknown): string[] {
  const problems: string[] = [];
  const visit = (schema: Schema, v: unknown, path: string): void => {
    if (typeof schema.$ref === 'string') {
      const target = schemas[schema.$ref.replace('#/components/schemas/', '')];
      if (target) visit(target, v, path);
      else problems.push(`${path}: unresolved ${schema.$ref}`);
      return;
    }
    if (v === null || v === undefined) return;
    const type = schema.type ?? (schema.properties ? 'object' : undefined);
    if (type === 'object' || schema.properties) {
      if (typeof v !== 'object' || Array.isArray(v)) return void problems.push(`${path}: expected object`);
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required as string[] | undefined) ?? []) {
        if ((v as Record<string, unknown>)[key] === undefined) problems.push(`${path}.${key}: required`);
      }
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
        const propertySchema = properties[key];
        if (!propertySchema) problems.push(`${path}.${key}: unknown property`);
        else visit(propertySchema, child, `${path}.${key}`);
      }
      return;
    }
    if (type === 'array') {
      if (!Array.isArray(v)) return void problems.push(`${path}: expected array`);
      for (const [i, item] of v.entries()) visit((schema.items ?? {}) as Schema, item, `${path}[${i}]`);
      return;
    }
    const actual = typeof v;
    const ok =
      type === undefined ||
      (type === 'string' && actual === 'string') ||
      (type === 'number' && actual === 'number') ||
      (type === 'integer' && Number.isInteger(v)) ||
      (type === 'boolean' && actual === 'boolean');
    if (!ok) problems.push(`${path}: expected ${String(type)}, got ${JSON.stringify(v)}`);
    if (Array.isArray(schema.enum) && !schema.enum.includes(v))
      problems.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (typeof schema.maxLength === 'number' && typeof v === 'string' && v.length > schema.maxLength) {
      problems.push(`${path}: longer than ${schema.maxLength}`);
    }
  };
  const root = schemas[name];
  if (!root) return [`no schema ${name}`];
  visit(root, value, name);
  return problems;
}
