// The layering of docs/architecture.md ("The rule"), read off the sources: which layer may
// import which, no import cycles, and no console output or process.exit below the CLI. A new
// import that breaks a rule fails here with the file and the import that broke it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * The layers of docs/architecture.md, bottom to top: a layer imports only layers listed before
 * it (siblings on one line never import each other), and only those its ALLOWED entry names.
 */
const ORDER: readonly string[] = [
  'errors',
  'util',
  'bcd',
  'cdp',
  'server',
  'browsers',
  'probes',
  'findings',
  'recorder',
  'report',
  'evidence',
  'scenarios',
  'compat',
  'audit',
  'wpt',
  'playwright',
  'cli',
  'index',
];

const BASE = ['errors', 'util'];
/** What each layer may import (besides itself). `errors` is the one module every layer shares. */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  util: ['errors'],
  // MDN's compat data as installed: data and pure functions over it.
  bcd: BASE,
  cdp: BASE,
  server: BASE,
  // One launch interface for every engine, the crash-retrying slot, lost-browser handling.
  browsers: [...BASE, 'cdp'],
  probes: [...BASE, 'cdp'],
  // Pure rules over the facts of a timeline (its own input type), under the recorder that runs them.
  findings: [...BASE, 'probes'],
  recorder: [...BASE, 'cdp', 'browsers', 'server', 'probes', 'findings'],
  // The report is a file format of its own: the run modes map their runs onto it.
  report: [...BASE, 'bcd'],
  // What verdicts, findings and explanations are built from: recorder + server log -> report rows.
  evidence: [...BASE, 'server', 'probes', 'findings', 'recorder', 'report'],
  // The behaviour suite as data, and the context its scenarios run in.
  scenarios: [...BASE, 'bcd', 'cdp', 'browsers', 'server', 'probes', 'findings', 'recorder', 'report', 'evidence'],
  // The three run modes: each imports the layers below it, never another run mode; only compat runs the suite.
  compat: [...BASE, 'bcd', 'cdp', 'browsers', 'server', 'probes', 'findings', 'recorder', 'report', 'evidence', 'scenarios'],
  audit: [...BASE, 'cdp', 'browsers', 'server', 'probes', 'findings', 'recorder', 'report', 'evidence'],
  wpt: [...BASE, 'cdp', 'browsers', 'server', 'probes', 'findings', 'recorder', 'report', 'evidence'],
  // Fixtures and matchers over the recorder; attachments and bgprobe/reporter write the report format.
  playwright: [...BASE, 'cdp', 'browsers', 'server', 'probes', 'findings', 'recorder', 'evidence', 'report'],
  cli: ORDER.filter((l) => l !== 'cli' && l !== 'index' && l !== 'playwright'),
  index: ORDER.filter((l) => l !== 'cli' && l !== 'index' && l !== 'playwright'),
};

/** Entry points of child processes: they own their stdio and exit code. */
const OWN_PROCESS = new Set(['scenarios/netns-server.ts']);

interface Import {
  to: string;
  typeOnly: boolean;
  line: number;
}

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const lineAt = (i: number) => text.slice(0, i).split('\n').length;
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm)) {
    found.push({ to: join(dirname(file), m[2]).replace(/\.js$/, '.ts'), typeOnly: m[1] !== undefined, line: lineAt(m.index) });
  }
  for (const m of text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    found.push({ to: join(dirname(file), m[1]).replace(/\.js$/, '.ts'), typeOnly: false, line: lineAt(m.index) });
  }
  return found;
}

const layerOf = (file: string) => file.split('/')[0].replace(/\.ts$/, '');
const files = sources();
const texts = new Map(files.map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));
const graph = new Map(files.map((f) => [f, importsOf(f, texts.get(f)!)]));

/** Strongly connected components of more than one file (or a file importing itself). */
function cycles(runtimeOnly: boolean): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { to, typeOnly } of graph.get(v)!) {
      if ((runtimeOnly && typeOnly) || !graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.some((i) => i.to === v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the layers of docs/architecture.md', () => {
  it('every source file is in a known layer, and every relative import names a file that exists', () => {
    expect(files.filter((f) => !(layerOf(f) in ALLOWED))).toEqual([]);
    const dangling = [...graph].flatMap(([f, imports]) => imports.filter((i) => !graph.has(i.to)).map((i) => `${f}:${i.line} -> ${i.to}`));
    expect(dangling).toEqual([]);
  });

  it('the allowed imports follow the order: no layer may import one above it', () => {
    const upward = Object.entries(ALLOWED).flatMap(([layer, allowed]) =>
      allowed.filter((a) => ORDER.indexOf(a) >= ORDER.indexOf(layer)).map((a) => `${layer} -> ${a}`),
    );
    expect(Object.keys(ALLOWED).sort()).toEqual([...ORDER].sort());
    expect(upward).toEqual([]);
  });

  it('a layer imports only the layers below it (type imports included)', () => {
    const upward = [...graph].flatMap(([f, imports]) =>
      imports
        .filter((i) => layerOf(i.to) !== layerOf(f) && !ALLOWED[layerOf(f)].includes(layerOf(i.to)))
        .map((i) => `${f}:${i.line} imports ${i.to} (${layerOf(f)} may import ${ALLOWED[layerOf(f)].join(', ') || 'nothing'})`),
    );
    expect(upward).toEqual([]);
  });

  it('no import cycles at run time', () => {
    expect(cycles(true)).toEqual([]);
  });

  it("no import cycles through type imports either (erased at run time, but two modules that name each other's types are one module in two files)", () => {
    expect(cycles(false).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('no console output or process.exit outside the CLI (libraries return errors, the CLI decides)', () => {
    const offenders = files
      .filter((f) => layerOf(f) !== 'cli' && !OWN_PROCESS.has(f))
      .flatMap((f) =>
        texts
          .get(f)!
          .split('\n')
          .flatMap((line, i) =>
            /\b(console\.[a-z]+|process\.exit)\s*\(/.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(offenders).toEqual([]);
  });
});
