import { XMLParser } from 'fast-xml-parser';
import { lookup, readXsd, type XsdSchema } from '../../quickbooks/xsd-reader.js';

/**
 * Real QBO answers published as XML (quickbooks-ruby's recorded fixtures) turned into the JSON the
 * same answer has with `Accept: application/json`. Both are generated from Intuit's XSDs, so the
 * mapping is mechanical, typed by the schema:
 * - an element the XSD marks `maxOccurs="unbounded"` becomes an array, and so does every entity
 *   under `QueryResponse` and every `Error` under `Fault` (as in every published JSON sample);
 * - XSD decimals/ints become numbers, booleans become booleans, everything else stays text;
 * - a reference (`<CustomerRef name="Amy">1</CustomerRef>`) becomes `{ value, name }`: simple
 *   content is `value`, attributes keep their names (`domain`, `sparse`, `code`, `type`, `time`).
 */
const specs = '../shared/specs/qbo';
let schema: XsdSchema | undefined;
const qboSchema = (): XsdSchema => {
  schema ??= readXsd(
    ['IntuitBaseTypes', 'IntuitNamesTypes', 'Finance', 'SalesTax', 'IntuitRestServiceDef'].map(
      (name) => `${specs}/${name}.xsd`,
    ),
  );
  return schema;
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: ':@',
  parseTagValue: false,
  parseAttributeValue: false,
  preserveOrder: true,
  trimValues: true,
  removeNSPrefix: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };
const tagOf = (node: Ordered): string => Object.keys(node).find((k) => k !== ':@')!;
const kidsOf = (node: Ordered) => (node[tagOf(node)] as Ordered[] | undefined) ?? [];
const textOf = (node: Ordered): string | undefined => {
  const text = kidsOf(node).find((k) => tagOf(k) === '#text')?.['#text'];
  return text === undefined ? undefined : String(text);
};

const numeric = new Set(['xs:decimal', 'xs:int', 'xs:integer', 'xs:long', 'xs:positiveInteger', 'xs:double']);

/** The simple base an XSD type reduces to (`xs:decimal` for a money type, and so on). */
function baseOf(s: XsdSchema, type: string): string {
  for (let t = type; ; ) {
    const simple = s.simple.get(t);
    if (!simple) return t;
    t = simple.base;
  }
}

function scalar(s: XsdSchema, type: string, text: string): unknown {
  const base = baseOf(s, type);
  if (numeric.has(base)) return Number(text);
  if (base === 'xs:boolean') return text === 'true';
  return text;
}

/** Paging attributes are numbers in JSON; `code` and the rest stay text (`"code": "4001"`). */
const numericAttributes = new Set(['startPosition', 'maxResults', 'totalCount']);
const attributeValue = (name: string, text: string): unknown =>
  text === 'true' || text === 'false' ? text === 'true' : numericAttributes.has(name) ? Number(text) : text;

function convert(s: XsdSchema, node: Ordered, type: string): unknown {
  const attributes = node[':@'] ?? {};
  const elements = kidsOf(node).filter((k) => tagOf(k) !== '#text');
  const text = textOf(node);
  if (!s.complex.has(type)) return text === undefined ? '' : scalar(s, type, text);
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    object[name] = attributeValue(name, value);
  }
  if (elements.length === 0 && text !== undefined) {
    object.value = text;
    return object;
  }
  for (const child of elements) {
    const name = tagOf(child);
    const found = lookup(s, type, name);
    const entity = s.global.get(name);
    let childType = typeof found === 'object' ? found.type : (entity ?? 'xs:string');
    if (childType === 'xs:anyType' && entity) childType = entity;
    const many =
      (typeof found === 'object' && found.many) ||
      (type === 'QueryResponse' && entity !== undefined) ||
      (type === 'Fault' && name === 'Error');
    const value = convert(s, child, childType);
    if (!many) object[name] = value;
    else if (Array.isArray(object[name])) (object[name] as unknown[]).push(value);
    else object[name] = [value];
  }
  return object;
}

/** The JSON body of a QBO XML answer (an `IntuitResponse`, or a bare entity or `Fault`). */
export function qboXmlToJson(xml: string): Record<string, unknown> {
  const s = qboSchema();
  const root = (parser.parse(xml) as Ordered[]).find((n) => tagOf(n) !== '?xml');
  if (!root) throw new Error('no root element');
  const name = tagOf(root);
  const type = s.global.get(name) ?? name;
  const body = convert(s, root, type) as Record<string, unknown>;
  return name === 'IntuitResponse' ? body : { [name]: body };
}
