/**
 * The user's web-platform-tests checkout: checked before anything starts (a wrong --wpt-root is
 * one line naming the file that should be there, exit 2), and the test URLs a selection gives.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputFormatError, UsageError } from '../errors.js';
import { testUrlsFor } from '../server/wpt/index.js';
import { globToRegExp } from '../util/regexp.js';

/** The file every WPT checkout has and every testharness test loads. */
export const MARKER = 'resources/testharness.js';

export function checkWptRoot(root: string): string {
  const abs = resolve(root);
  if (!existsSync(join(abs, MARKER))) {
    throw new InputFormatError(
      `--wpt-root ${root} is not a web-platform-tests checkout: expected ${join(abs, MARKER)}. Give the root of a WPT clone (README: "bgprobe wpt" shows a sparse checkout).`,
    );
  }
  return abs;
}

// Helper folders hold no tests of their own (wptserve's manifest skips them too).
const SKIP_DIRS = new Set(['resources', 'support', 'tools', 'common', '.git', 'node_modules']);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name.startsWith('.')) return [];
    const full = join(dir, d.name);
    if (d.isDirectory()) return SKIP_DIRS.has(d.name) ? [] : walk(full);
    return d.isFile() ? [full] : [];
  });
}

/** Source files (paths relative to the root, with '/') a selection names. */
function sourcesFor(root: string, pattern: string): string[] {
  const clean = pattern.replace(/^\/+/, '');
  const full = join(root, clean);
  const rel = (f: string) => relative(root, f).split(sep).join('/');
  if (!/[*?]/.test(clean)) {
    if (!existsSync(full))
      throw new UsageError(
        `No test matches "${pattern}": ${full} does not exist. Give paths or globs relative to --wpt-root (e.g. background-fetch/ or "background-fetch/*.window.js").`,
      );
    return statSync(full).isDirectory() ? walk(full).map(rel) : [clean];
  }
  const re = globToRegExp(clean, '/');
  const base = clean.slice(0, clean.search(/[*?]/)).replace(/[^/]*$/, '');
  const start = join(root, base);
  return existsSync(start)
    ? walk(start)
        .map(rel)
        .filter((f) => re.test(f))
    : [];
}

/** The test URLs (paths like /background-fetch/fetch.https.window.html), sorted, each once. */
export function selectTests(root: string, patterns: readonly string[]): string[] {
  const urls = new Set<string>();
  for (const pattern of patterns.length ? patterns : ['background-fetch/']) {
    const found = sourcesFor(root, pattern).flatMap((f) => testUrlsFor(`/${f}`, readFileSync(join(root, f), 'utf8')));
    if (found.length === 0)
      throw new UsageError(
        `No testharness test matches "${pattern}" under ${root} (tests are *.window.js, *.any.js, *.worker.js or .html files loading /resources/testharness.js).`,
      );
    for (const u of found) urls.add(u);
  }
  return [...urls].sort();
}

/** The source file a test URL is generated from (`/x/a.any.worker.html` -> `/x/a.any.js`); an .html test is its own. */
export function sourcePathOf(testUrl: string): string {
  const path = testUrl.replace(/\?.*$/, '');
  return /\.(window|worker)\.html$|\.any(\.\w+)?\.html$/.test(path)
    ? path
        .replace(/\.any(\.\w+)?\.html$/, '.any.js')
        .replace(/\.window\.html$/, '.window.js')
        .replace(/\.worker\.html$/, '.worker.js')
    : path;
}

/** Whether the test asks for the long timeout (60 s instead of 10 s, before the multiplier). */
export function isLongTimeout(root: string, testUrl: string): boolean {
  const file = join(root, sourcePathOf(testUrl));
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  return /\/\/\s*META:\s*timeout=long/.test(text) || /<meta\s+name=["']?timeout["']?\s+content=["']?long/i.test(text);
}

/** The checkout's commit (40 hex digits) when it is a git clone: wpt.fyi's `revision`; null otherwise. */
export function wptRevision(root: string): string | null {
  const git = join(root, '.git');
  try {
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    if (existsSync(join(git, ref))) return readFileSync(join(git, ref), 'utf8').trim();
    const packed = readFileSync(join(git, 'packed-refs'), 'utf8')
      .split('\n')
      .find((l) => l.endsWith(` ${ref}`));
    return packed?.split(' ')[0] ?? null;
  } catch {
    // Not a git clone (a copy, a sparse download): the report has no revision.
    return null;
  }
}
