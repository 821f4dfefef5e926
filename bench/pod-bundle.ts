/**
 * Builds pod-ui as production does and reports gzipped sizes per chunk, and what each screen loads
 * before it can show anything. Fails when the invoice pod's initial JS+CSS exceeds 20 KB gzipped.
 *
 *   npx tsx bench/pod-bundle.ts
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const BUDGET = 20 * 1024;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const outDir = await mkdtemp(join(tmpdir(), 'ledgerpod-bench-'));
try {
  await build({
    configFile: 'pod-ui/vite.config.ts',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, manifest: 'manifest.json' },
  });
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  const gz = new Map<string, { raw: number; gzip: number }>();
  const size = async (file: string) => {
    let s = gz.get(file);
    if (!s) {
      const bytes = await readFile(join(outDir, file));
      s = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      gz.set(file, s);
    }
    return s;
  };

  /** A chunk plus everything it imports statically: what the browser must load before it renders. */
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    const chunk = manifest[key];
    if (!chunk || seen.has(key)) return seen;
    seen.add(key);
    for (const dep of chunk.imports ?? []) closure(dep, seen);
    return seen;
  };
  const files = (keys: Set<string>) => {
    const out = new Set<string>();
    for (const key of keys) {
      const chunk = manifest[key]!;
      out.add(chunk.file);
      for (const css of chunk.css ?? []) out.add(css);
    }
    return out;
  };
  const total = async (set: Set<string>) => {
    let sum = 0;
    for (const file of set) sum += (await size(file)).gzip;
    return sum;
  };

  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const initial = files(closure(entryKey));
  const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;

  console.log('chunk                                      raw        gzip');
  const printed = new Set<string>();
  for (const chunk of Object.values(manifest)) {
    for (const file of [chunk.file, ...(chunk.css ?? [])]) {
      if (printed.has(file)) continue;
      printed.add(file);
      const s = await size(file);
      console.log(`${file.padEnd(42)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)}`);
    }
  }

  const screens: [string, string | undefined][] = [
    ['invoice pod', undefined],
    ['company pod', 'src/company/company-pod.tsx'],
    ['workbench tab', 'src/workbench/workbench-tab.tsx'],
    ['admin tab', 'src/admin/admin-tab.tsx'],
  ];
  console.log('\nscreen           JS+CSS gzip before first render');
  let invoice = 0;
  for (const [name, lazyKey] of screens) {
    const set = new Set(initial);
    if (lazyKey) for (const f of files(closure(lazyKey))) set.add(f);
    const sum = await total(set);
    if (!lazyKey) invoice = sum;
    console.log(`${name.padEnd(16)} ${kb(sum)}`);
  }
  console.log(`\nmachine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`);
  if (invoice > BUDGET) {
    console.error(`FAIL: invoice pod initial JS+CSS ${kb(invoice)} gzipped exceeds the ${kb(BUDGET)} budget`);
    process.exitCode = 1;
  } else {
    console.log(`OK: invoice pod initial JS+CSS ${kb(invoice)} gzipped, budget ${kb(BUDGET)}`);
  }
} finally {
  await rm(outDir, { recursive: true, force: true });
}
