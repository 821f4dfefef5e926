/**
 * Just enough YAML for xero_accounting.yaml's `components.schemas` section: block mappings, block
 * sequences and plain or quoted scalars (no flow collections beyond `[]`/`{}`, no anchors). The
 * project has no YAML parser installed; this keeps the contract test honest until one is.
 */
type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

const scalar = (raw: string): Yaml => {
  const text = raw.trim();
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (/^".*"$/.test(text)) return JSON.parse(text) as string;
  if (/^'.*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
};

/** Parses the block under `heading`, a line matched exactly (e.g. `  schemas:` inside `components:`). */
export function parseYamlSection(source: string, heading: string): Yaml {
  const all = source.split('\n');
  const start = all.indexOf(heading);
  if (start < 0) throw new Error(`no line ${heading}`);
  const headingIndent = heading.length - heading.trimStart().length;
  const lines: Line[] = [];
  for (const raw of all.slice(start + 1)) {
    if (raw.trim() !== '' && raw.length - raw.trimStart().length <= headingIndent) break;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trim() });
  }
  let at = 0;
  const block = (indent: number): Yaml => {
    if (lines[at]?.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (lines[at] && lines[at]!.indent === indent && lines[at]!.text.startsWith('- ')) {
        list.push(scalar(lines[at]!.text.slice(2)));
        at++;
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (lines[at] && lines[at]!.indent === indent) {
      const { text } = lines[at]!;
      const colon = text.search(/:(\s|$)/);
      const key = scalar(text.slice(0, colon)) as string;
      const rest = text.slice(colon + 1).trim();
      at++;
      if (rest === '|' || rest === '>' || rest === '|-' || rest === '>-') {
        const parts: string[] = [];
        while (lines[at] && lines[at]!.indent > indent) parts.push(lines[at++]!.text);
        map[key] = parts.join(rest.startsWith('>') ? ' ' : '\n');
      } else if (rest !== '') map[key] = scalar(rest);
      else if (
        lines[at] &&
        (lines[at]!.indent > indent || (lines[at]!.indent === indent && lines[at]!.text.startsWith('- ')))
      ) {
        map[key] = block(lines[at]!.indent);
      } else map[key] = null;
      // Plain scalars continued on deeper lines (long descriptions) are skipped.
      while (lines[at] && lines[at]!.indent > indent && typeof map[key] !== 'object') at++;
    }
    return map;
  };
  return block(lines[0]?.indent ?? 2);
}
