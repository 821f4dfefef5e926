import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { qboXmlToJson } from './qbo-xml.js';
import { zynkXmlToJson } from './zynk-xml.js';

/** The conformance corpus: real, documented and constructed wire bodies (see PROVENANCE.md). */
export const corpusRoot = fileURLToPath(new URL('..', import.meta.url));
export const systems = ['connectwise', 'quickbooks', 'xero'] as const;
export type System = (typeof systems)[number];
export const kinds = ['real', 'documented', 'constructed'] as const;
type Kind = (typeof kinds)[number];

export interface ProvenanceRow {
  path: string;
  system: string;
  kind: string;
  source: string;
  date: string;
  notes: string;
}

/** Rows of PROVENANCE.md's table (the header and separator rows left out). */
export function provenance(): ProvenanceRow[] {
  const text = readFileSync(`${corpusRoot}/PROVENANCE.md`, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| path ') && !line.startsWith('|---'))
    .map((line) => {
      const cells = line
        .slice(2, -2)
        .split(' | ')
        .map((c) => c.trim());
      const [path = '', system = '', kind = '', source = '', date = '', ...notes] = cells;
      return { path, system, kind, source, date, notes: notes.join(' | ') };
    });
}

/** Every corpus file, as `system/name`. */
export function corpusFiles(): string[] {
  return systems.flatMap((system) =>
    readdirSync(`${corpusRoot}/${system}`)
      .filter((name) => !name.startsWith('.'))
      .map((name) => `${system}/${name}`)
      .sort(),
  );
}

/** The raw bytes of a corpus file, as text (what a webhook signature is computed over). */
export const rawText = (path: string): string => readFileSync(`${corpusRoot}/${path}`, 'utf8');

/**
 * A corpus file as the JSON value the system sent: JSON as is, Zynk's XML renderings of ConnectWise
 * answers and quickbooks-ruby's XML QBO answers converted back to their JSON form.
 */
export function body(path: string): unknown {
  const text = rawText(path);
  if (path.endsWith('.zynk.xml')) return zynkXmlToJson(text);
  if (path.endsWith('.xml')) return qboXmlToJson(text);
  return JSON.parse(text);
}

/** Corpus files of one system whose name matches. */
export const filesMatching = (system: System, pattern: RegExp): string[] =>
  corpusFiles().filter((f) => f.startsWith(`${system}/`) && pattern.test(f.slice(system.length + 1)));
