import { readFileSync } from 'node:fs';

/**
 * A small reader for the QBO XSDs: complex types (own elements, base type, attributes) and simple
 * types (base, enumerations). Enough to check that JSON entities only use names the schema defines.
 */
export interface XsdElement {
  type: string;
  many: boolean;
}
export interface XsdComplexType {
  base: string | undefined;
  elements: Map<string, XsdElement>;
  attributes: Set<string>;
  simpleContent: boolean;
}
export interface XsdSchema {
  complex: Map<string, XsdComplexType>;
  simple: Map<string, { base: string; values: string[] }>;
}

const strip = (name: string) => name.replace(/^\w+:(?=\w)/, (prefix) => (prefix === 'xs:' ? prefix : ''));

export function readXsd(paths: string[]): XsdSchema {
  const schema: XsdSchema = { complex: new Map(), simple: new Map() };
  for (const path of paths) {
    const text = readFileSync(path, 'utf8').replace(/<xs:annotation>[\s\S]*?<\/xs:annotation>/g, '');
    for (const match of text.matchAll(/<xs:complexType name="(\w+)"[^>]*>([\s\S]*?)<\/xs:complexType>/g)) {
      const [, name, body = ''] = match;
      const elements = new Map<string, XsdElement>();
      for (const el of body.matchAll(/<xs:element\s+([^>]*?)\/?>/g)) {
        const attrs = el[1]!;
        const elName = /name="(\w+)"/.exec(attrs)?.[1];
        if (!elName) continue;
        elements.set(elName, {
          type: strip(/type="([\w:]+)"/.exec(attrs)?.[1] ?? 'xs:anyType'),
          many: /maxOccurs="unbounded"/.test(attrs),
        });
      }
      schema.complex.set(name!, {
        base: /<xs:extension base="([\w:]+)"/.exec(body)?.[1],
        elements,
        attributes: new Set([...body.matchAll(/<xs:attribute name="(\w+)"/g)].map((a) => a[1]!)),
        simpleContent: body.includes('<xs:simpleContent>'),
      });
    }
    for (const match of text.matchAll(/<xs:simpleType name="(\w+)"[^>]*>([\s\S]*?)<\/xs:simpleType>/g)) {
      const [, name, body = ''] = match;
      schema.simple.set(name!, {
        base: /<xs:restriction base="([\w:]+)"/.exec(body)?.[1] ?? 'xs:string',
        values: [...body.matchAll(/<xs:enumeration value="([^"]*)"/g)].map((v) => v[1]!),
      });
    }
  }
  return schema;
}

/** Problems found checking `value` as an instance of complex type `typeName`; empty means it fits. */
export function checkAgainst(schema: XsdSchema, typeName: string, value: unknown, path = typeName): string[] {
  const type = schema.complex.get(typeName);
  if (!type) return [`${path}: unknown type ${typeName}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: expected an object`];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const found = lookup(schema, typeName, key);
    if (!found) {
      problems.push(`${path}.${key}: not defined for ${typeName}`);
      continue;
    }
    if (found === 'attribute' || found === 'value') continue;
    if (found.many !== Array.isArray(child)) {
      problems.push(`${path}.${key}: ${found.many ? 'expected an array' : 'unexpected array'}`);
      continue;
    }
    for (const item of found.many ? (child as unknown[]) : [child])
      problems.push(...checkValue(schema, found.type, item, `${path}.${key}`));
  }
  return problems;
}

function lookup(
  schema: XsdSchema,
  typeName: string,
  key: string,
): XsdElement | 'attribute' | 'value' | undefined {
  for (let name: string | undefined = typeName; name; ) {
    const type = schema.complex.get(name);
    if (!type) return key === 'value' ? 'value' : undefined; // simpleContent base (e.g. id)
    if (type.elements.has(key)) return type.elements.get(key);
    if (type.attributes.has(key)) return 'attribute';
    if (type.simpleContent && key === 'value') return 'value';
    name = type.base;
  }
  return undefined;
}

function checkValue(schema: XsdSchema, type: string, value: unknown, path: string): string[] {
  if (schema.complex.has(type)) return checkAgainst(schema, type, value, path);
  const simple = schema.simple.get(type);
  if (simple) {
    if (simple.values.length > 0 && !simple.values.includes(String(value)))
      return [`${path}: ${String(value)} is not one of ${type}`];
    return checkValue(schema, simple.base, value, path);
  }
  const ok = (() => {
    switch (type) {
      case 'xs:decimal':
      case 'xs:int':
      case 'xs:integer':
      case 'xs:long':
      case 'xs:positiveInteger':
      case 'xs:double':
        return typeof value === 'number';
      case 'xs:boolean':
        return typeof value === 'boolean';
      case 'xs:date':
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
      case 'xs:dateTime':
        return typeof value === 'string' && !Number.isNaN(Date.parse(value));
      default:
        return typeof value === 'string';
    }
  })();
  return ok ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type}`];
}
