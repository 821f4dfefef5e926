import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/**
 * The QBO XSDs read with fast-xml-parser (a maintained XML parser, not regular expressions), reduced
 * to what a JSON check needs: complex types (elements from every sequence/choice/group, base type,
 * attributes) and simple types (base, enumerations). Enough to check that JSON entities only use
 * names and value types the schema defines. QBO's JSON has no order, so sequence order is not checked.
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
  /** Top-level elements (`Invoice`, `IntuitResponse`…) and their types. */
  global: Map<string, string>;
}

type Node = Record<string, unknown>;
/** Elements that may repeat; the parser gives them as arrays always, so walking never guesses. */
const repeated = new Set([
  'xs:complexType',
  'xs:simpleType',
  'xs:element',
  'xs:attribute',
  'xs:enumeration',
  'xs:group',
  'xs:sequence',
  'xs:choice',
  'xs:include',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => repeated.has(name),
});

const list = (node: unknown, key: string): Node[] =>
  node && typeof node === 'object' ? (((node as Node)[key] as Node[] | undefined) ?? []) : [];
const one = (node: unknown, key: string): Node | undefined =>
  node && typeof node === 'object' ? ((node as Node)[key] as Node | undefined) : undefined;
const attr = (node: Node, name: string): string | undefined => node[`@${name}`] as string | undefined;
/** `xs:string` stays, a namespace prefix on our own types (`tns:Invoice`) goes. */
const local = (name: string) => (name.startsWith('xs:') ? name : name.replace(/^\w+:/, ''));

export function readXsd(paths: string[]): XsdSchema {
  const schema: XsdSchema = { complex: new Map(), simple: new Map(), global: new Map() };
  const roots = paths.map((path) => one(parser.parse(readFileSync(path, 'utf8')), 'xs:schema') ?? {});
  const groups = new Map<string, Node>();
  const globalElements = new Map<string, Node>();
  for (const root of roots) {
    for (const group of list(root, 'xs:group')) groups.set(attr(group, 'name')!, group);
    for (const element of list(root, 'xs:element')) {
      globalElements.set(attr(element, 'name')!, element);
      schema.global.set(attr(element, 'name')!, local(attr(element, 'type') ?? 'xs:anyType'));
    }
  }

  /** Every element under a particle (sequence, choice, group), however deeply nested. */
  const collect = (particle: Node | undefined, into: Map<string, XsdElement>, manyAbove: boolean): void => {
    if (!particle) return;
    const many = manyAbove || attr(particle, 'maxOccurs') === 'unbounded';
    for (const element of list(particle, 'xs:element')) {
      const ref = attr(element, 'ref');
      const target = ref ? globalElements.get(local(ref)) : element;
      const name = ref ? local(ref) : attr(element, 'name');
      if (!name) continue;
      into.set(name, {
        type: local(attr(target ?? element, 'type') ?? 'xs:anyType'),
        many: many || attr(element, 'maxOccurs') === 'unbounded',
      });
    }
    for (const key of ['xs:sequence', 'xs:choice'])
      for (const nested of list(particle, key)) collect(nested, into, many);
    for (const ref of list(particle, 'xs:group')) {
      const group = groups.get(local(attr(ref, 'ref') ?? ''));
      const groupMany = many || attr(ref, 'maxOccurs') === 'unbounded';
      for (const key of ['xs:sequence', 'xs:choice'])
        for (const nested of list(group, key)) collect(nested, into, groupMany);
    }
  };

  for (const root of roots) {
    for (const type of list(root, 'xs:complexType')) {
      const content = one(type, 'xs:complexContent') ?? one(type, 'xs:simpleContent');
      const extension = one(content, 'xs:extension') ?? one(content, 'xs:restriction');
      const body = extension ?? type;
      const elements = new Map<string, XsdElement>();
      collect(body, elements, false);
      const base = extension ? attr(extension, 'base') : undefined;
      schema.complex.set(attr(type, 'name')!, {
        base: base ? local(base) : undefined,
        elements,
        attributes: new Set(list(body, 'xs:attribute').map((a) => attr(a, 'name')!)),
        simpleContent: one(type, 'xs:simpleContent') !== undefined,
      });
    }
    for (const type of list(root, 'xs:simpleType')) {
      const restriction = one(type, 'xs:restriction');
      schema.simple.set(attr(type, 'name')!, {
        base: local(restriction ? (attr(restriction, 'base') ?? 'xs:string') : 'xs:string'),
        values: list(restriction, 'xs:enumeration').map((e) => String(attr(e, 'value'))),
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

/** Where `key` is defined on `typeName` or its bases: an element, an attribute, or simple content. */
export function lookup(
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
