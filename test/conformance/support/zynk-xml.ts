import { XMLParser } from 'fast-xml-parser';

/**
 * Zynk's ConnectWise connector documents real ConnectWise REST answers as XML: it deserialises CW's
 * JSON into its own classes and writes them out with .NET's XmlSerializer. Element names are CW's
 * JSON field names; JSON's types are lost. The corpus keeps Zynk's XML verbatim and this turns it
 * back into the JSON CW sent, by these rules (each a judgement, kept in one place):
 * - a list element (`<detail><detailItem>…`, `<Invoices><Invoice>…`, `<x><int>…`) becomes an array:
 *   all children share one tag, and that tag is the parent's singular, ends in `Item`, is a .NET
 *   primitive (`int`, `string`), or the element is a plural document root (`<Invoices>`);
 * - `true`/`false` become booleans; numeric text becomes a number, except in fields that CW types as
 *   strings (account numbers, identifiers, names, codes, dates, memos: see `stringField`);
 * - `xsi:nil="true"` becomes null; an empty element is left out (CW omits empty fields in JSON).
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  preserveOrder: true,
  trimValues: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const stringField =
  /(Number|Xref|Code|Slip|Date|Description|Note|Name|Email|Phone|Guid|Identifier|Batch|Group|Type|Zone|Class|Memo|Text)$|^(glTypeId|glItemId|taxId|shipTaxId|identifier|name|memo|description|documentType|billingType|attention|caption|value|website|state|status|type|entryMethod|timeZone|symbol|isoCode|glEntryIds|externalId|updatedBy|enteredBy|lastUpdated|dateEntered|salesTerritory|packingSlip|batchIdentifier|firstName|lastName|title|country|city|zip|addressLine1|addressLine2|licenseClass|invoiceNumber)$/;

const tagOf = (node: Ordered): string => Object.keys(node).find((k) => k !== ':@')!;
const childrenOf = (node: Ordered): Ordered[] => {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as Ordered[]) : [];
};
const isText = (node: Ordered) => tagOf(node) === '#text';

const singular = (tag: string) => tag.replace(/ies$/, 'y').replace(/s$/, '');

function isList(tag: string, kids: Ordered[], root: boolean): boolean {
  const elements = kids.filter((k) => !isText(k));
  if (elements.length === 0) return false;
  const first = tagOf(elements[0]!);
  if (!elements.every((k) => tagOf(k) === first)) return false;
  return (
    (root && tag.endsWith('s')) ||
    first === 'int' ||
    first === 'string' ||
    first.endsWith('Item') ||
    singular(tag) === first
  );
}

/** Numeric fields whose names look like strings by the rule above. */
const numberField = /^(lineNumber|numberOfDecimals)$/;

function scalar(key: string, text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if ((numberField.test(key) || !stringField.test(key)) && /^-?\d+(\.\d+)?(E[+-]?\d+)?$/i.test(text))
    return Number(text);
  return text;
}

/** The JSON value of one element; `undefined` when it should be left out. */
function convert(node: Ordered, root = false): unknown {
  const tag = tagOf(node);
  if (node[':@']?.['@xsi:nil'] === 'true') return null;
  const kids = childrenOf(node);
  const elements = kids.filter((k) => !isText(k));
  if (elements.length === 0) {
    const text = kids.find(isText)?.['#text'];
    return text === undefined || text === '' ? undefined : scalar(tag, String(text));
  }
  if (isList(tag, kids, root)) return elements.map((k) => convert(k)).filter((v) => v !== undefined);
  const object: Record<string, unknown> = {};
  for (const child of elements) {
    const value = convert(child);
    if (value !== undefined) object[tagOf(child)] = value;
  }
  return object;
}

/** The CW JSON body a Zynk XML sample stands for. */
export function zynkXmlToJson(xml: string): unknown {
  const nodes = parser.parse(xml) as Ordered[];
  const root = nodes.find((n) => tagOf(n) !== '?xml');
  if (!root) throw new Error('no root element');
  return convert(root, true);
}
