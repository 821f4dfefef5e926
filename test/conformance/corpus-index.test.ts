import { describe, expect, it } from 'vitest';
import { body, corpusFiles, kinds, provenance, systems } from './support/corpus.js';

describe('conformance corpus index (PROVENANCE.md)', () => {
  const rows = provenance();
  const files = corpusFiles();

  it('lists every corpus file exactly once, and no file that is missing', () => {
    const listed = rows.map((r) => r.path);
    expect(listed.filter((p, i) => listed.indexOf(p) !== i)).toEqual([]);
    expect(files.filter((f) => !listed.includes(f))).toEqual([]);
    expect(listed.filter((p) => !files.includes(p))).toEqual([]);
  });

  it('gives each file a system matching its folder, a kind, a source and a date', () => {
    for (const row of rows) {
      expect(row.path.split('/')[0], row.path).toBe(row.system);
      expect(systems as readonly string[], row.path).toContain(row.system);
      expect(kinds as readonly string[], row.path).toContain(row.kind);
      expect(row.source.length, `${row.path}: source`).toBeGreaterThan(10);
      expect(row.date, `${row.path}: date`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('says why for every constructed file', () => {
    for (const row of rows.filter((r) => r.kind === 'constructed'))
      expect(row.notes.length, `${row.path}: say why it is constructed`).toBeGreaterThan(30);
  });

  it('holds at least 60 files, each readable as the body its system sent', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    for (const file of files) expect(body(file), file).toBeTypeOf('object');
  });
});
