/**
 * Moves source files and rewrites every relative import that points at them (and every relative
 * import inside them), so a restructure is one reviewed list of moves rather than hand edits.
 *
 *   npx tsx scripts/move-modules.ts moves.txt          # apply (git mv + rewrite)
 *   npx tsx scripts/move-modules.ts moves.txt --dry    # print what would change
 *
 * moves.txt: one `old/path.ts new/path.ts` (or `old/dir/ new/dir/`) pair per line; `#` comments.
 * Rewritten: `from '…'`, `import('…')`, `import '…'` and `new URL('…', import.meta.url)` specifiers
 * that start with `./` or `../`. A moved file's repository path written out in text (comments, docs:
 * `server/pipeline/map/rounding.ts`) is rewritten too, and so is its bare file name where the move renamed
 * it. Other paths written as plain strings (a source scan listing folders) are listed for a hand check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const roots = ['server', 'test', 'sim', 'bench', 'scripts', 'manifest', 'pod-ui/src', 'docs'];
const sourceExt = /\.(ts|tsx|mts)$/;
const textExt = /\.(ts|tsx|mts|md)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function readMoves(file: string, allFiles: string[]): Map<string, string> {
  const moves = new Map<string, string>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [from, to] = line.split(/\s+/);
    if (!from || !to) throw new Error(`not a move: ${raw}`);
    if (from.endsWith('/')) {
      for (const f of allFiles.filter((f) => f.startsWith(from))) moves.set(f, to + f.slice(from.length));
    } else {
      if (!existsSync(from)) throw new Error(`no such file: ${from}`);
      moves.set(normalize(from), normalize(to));
    }
  }
  const targets = new Set<string>();
  for (const to of moves.values()) {
    if (targets.has(to)) throw new Error(`two files moved to ${to}`);
    targets.add(to);
  }
  return moves;
}

/** The file a relative specifier names (TypeScript's `.js` → `.ts`/`.tsx` rule), or undefined. */
function resolveSpecifier(fromFile: string, spec: string): string | undefined {
  const base = normalize(join(dirname(fromFile), spec));
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`];
  return (
    candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? (existsSync(base) ? base : undefined)
  );
}

function specifierFor(fromFile: string, target: string, original: string): string {
  let spec = relative(dirname(fromFile), target);
  if (!spec.startsWith('.')) spec = `./${spec}`;
  // Keep the specifier's own spelling of the extension (`.js` for `.ts` sources).
  if (original.endsWith('.js')) spec = spec.replace(/\.tsx?$/, '.js');
  if (original.endsWith('/')) spec = `${spec}/`;
  return spec;
}

const specifierPattern = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;

function main(): void {
  const [movesFile, flag] = process.argv.slice(2);
  if (!movesFile) throw new Error('usage: move-modules.ts moves.txt [--dry]');
  const dry = flag === '--dry';
  const allFiles = roots.flatMap(walk);
  const moves = readMoves(movesFile, allFiles);
  const newPathOf = (f: string) => moves.get(f) ?? f;
  const rewritten = new Map<string, string>();
  for (const file of allFiles.filter((f) => sourceExt.test(f))) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(specifierPattern, (whole, lead: string, quote: string, spec: string) => {
      const target = resolveSpecifier(file, spec);
      if (!target) return whole;
      const movedFile = newPathOf(file);
      const movedTarget = newPathOf(target);
      if (movedFile === file && movedTarget === target) return whole;
      return `${lead}${quote}${specifierFor(movedFile, movedTarget, spec)}${quote}`;
    });
    if (next !== text) rewritten.set(file, next);
  }
  // Text mentions: full paths first, then renamed bare names (longest first, so one never eats another).
  const mentions: [string, string][] = [];
  for (const [from, to] of moves) mentions.push([from, to]);
  for (const [from, to] of moves) {
    const [a, b] = [from.split('/').pop() ?? '', to.split('/').pop() ?? ''];
    if (a !== b) mentions.push([a, b]);
  }
  mentions.sort((x, y) => y[0].length - x[0].length);
  for (const file of [...allFiles.filter((f) => textExt.test(f)), 'README.md'].filter(existsSync)) {
    const text = rewritten.get(file) ?? readFileSync(file, 'utf8');
    let next = text;
    for (const [from, to] of mentions)
      next = next.replace(
        new RegExp(`(?<![\\w./-])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'g'),
        to,
      );
    if (next !== text) rewritten.set(file, next);
  }
  for (const [from, to] of moves) console.log(`move ${from} -> ${to}`);
  console.log(`${rewritten.size} files with rewritten imports`);
  const movedDirs = [...new Set([...moves.keys()].map((f) => dirname(f)))];
  for (const file of allFiles.filter((f) => sourceExt.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const dir of movedDirs)
      if (text.includes(`'${dir}/`) || text.includes(`"${dir}/`))
        console.log(`check by hand: ${file} names ${dir}/`);
  }
  if (dry) return;
  for (const [file, text] of rewritten) writeFileSync(file, text);
  for (const [from, to] of moves) {
    execFileSync('mkdir', ['-p', dirname(to)]);
    execFileSync('git', ['mv', from, to]);
  }
}

main();
