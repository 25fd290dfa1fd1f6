/**
 * wptrunner's expectation files, as `wpt run --metadata` reads them and `wpt update-expectations`
 * writes them. A test's expectations live in `<metadata>/<its source file>.ini` (the test
 * `/background-fetch/fetch.https.window.html` comes from `background-fetch/fetch.https.window.js`,
 * so `<metadata>/background-fetch/fetch.https.window.js.ini`), under a heading named by the test
 * URL's last part; its subtests are headings inside it. `expected` is the status, or a list of
 * them (the first expected, the others known intermittent); no `expected` means OK for a test and
 * PASS for a subtest. A key is looked up on its own heading, then on the file's top level.
 * `disabled` (on a test, on the file, or in a `__dir__.ini` of its folder or above) skips a test.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { InputFormatError, UsageError } from '../errors.js';
import {
  keyNode,
  ManifestParseError,
  matches,
  parse,
  section,
  selectValue,
  serialize,
  serializeExpr,
  valueFor,
  type ConditionalNode,
  type DataNode,
  type Expr,
  type KeyValueNode,
  type PlainValue,
  type RunInfo,
} from './wptmanifest.js';
import { sourcePathOf } from './checkout.js';

export const DEFAULT_TEST_STATUS = 'OK';
export const DEFAULT_SUBTEST_STATUS = 'PASS';

/** What a test or subtest is expected to give: the first status, then the known intermittent ones. */
export type Expected = string[];

export interface Unexpected {
  test: string;
  /** null for the test's own (harness) status. */
  subtest: string | null;
  status: string;
  expected: Expected;
}

/** The .ini file holding a test's expectations, relative to the metadata folder, and the test's heading in it. */
export function metadataLocation(test: string): { file: string; heading: string } {
  const path = test.replace(/\?.*$/, '');
  return { file: `${sourcePathOf(path).replace(/^\//, '')}.ini`, heading: test.slice(test.lastIndexOf('/', path.length) + 1) };
}

function readManifest(path: string): DataNode | null {
  if (!existsSync(path)) return null;
  try {
    return parse(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof ManifestParseError)
      throw new InputFormatError(`${e.message}: not a wptmanifest expectation file (wptrunner's .ini syntax).`);
    throw e;
  }
}

function statusList(v: ReturnType<typeof valueFor>): Expected | undefined {
  if (v === undefined || v === null) return undefined;
  const list = (Array.isArray(v) ? v : [v]).filter((s): s is string => typeof s === 'string');
  return list.length ? list : undefined;
}

/** A key's value on a heading, else on the file's top level (wptrunner's ManifestItem.get). */
function lookup(node: DataNode | undefined, root: DataNode, key: string, runInfo: RunInfo): ReturnType<typeof valueFor> {
  for (const n of node ? [node, root] : [root]) {
    const kv = keyNode(n, key);
    const v = kv ? valueFor(kv, runInfo) : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A metadata folder, read as tests ask for it (each file once). */
export class Metadata {
  readonly #cache = new Map<string, DataNode | null>();

  private constructor(readonly dir: string) {}

  /** A folder that must exist: a wrong path is one line, exit 2. */
  static open(dir: string): Metadata {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(
        `--metadata ${dir} is not a directory: give a folder of wptrunner expectation files (.ini), e.g. one --update-metadata wrote.`,
      );
    return new Metadata(dir);
  }

  #file(rel: string): DataNode | null {
    if (!this.#cache.has(rel)) this.#cache.set(rel, readManifest(join(this.dir, rel)));
    return this.#cache.get(rel) ?? null;
  }

  /** Why the test is disabled for this run, or null. */
  disabled(test: string, runInfo: RunInfo): string | null {
    const { file, heading } = metadataLocation(test);
    const root = this.#file(file);
    const found: Array<ReturnType<typeof valueFor>> = [];
    if (root) found.push(lookup(section(root, heading), root, 'disabled', runInfo));
    // __dir__.ini from the test's own folder up to the metadata root, nearest first.
    const parts = dirname(file)
      .split('/')
      .filter((p) => p && p !== '.');
    for (let i = parts.length; i >= 0; i--) {
      const dirRoot = this.#file([...parts.slice(0, i), '__dir__.ini'].join('/'));
      if (dirRoot) found.push(lookup(undefined, dirRoot, 'disabled', runInfo));
    }
    const v = found.find((x) => x !== undefined);
    if (v === undefined || v === null || v === false) return null;
    return v === true ? 'disabled' : String(v);
  }

  /** The test's expected statuses, and a function giving each subtest's. */
  expected(test: string, runInfo: RunInfo): { status: Expected; subtest: (name: string) => Expected } {
    const { file, heading } = metadataLocation(test);
    const root = this.#file(file);
    const node = root ? section(root, heading) : undefined;
    return {
      status: (root && statusList(lookup(node, root, 'expected', runInfo))) || [DEFAULT_TEST_STATUS],
      subtest: (name) => {
        const sub = node ? section(node, name) : undefined;
        return (root && statusList(lookup(sub, root, 'expected', runInfo))) || [DEFAULT_SUBTEST_STATUS];
      },
    };
  }
}

export interface ResultLike {
  test: string;
  status: string;
  subtests: ReadonlyArray<{ name: string; status: string }>;
}

/** Every status outside its expected set (a known intermittent one is expected). */
export function unexpectedResults(metadata: Metadata, results: readonly ResultLike[], runInfo: RunInfo): Unexpected[] {
  const out: Unexpected[] = [];
  for (const r of results) {
    const e = metadata.expected(r.test, runInfo);
    if (!e.status.includes(r.status)) out.push({ test: r.test, subtest: null, status: r.status, expected: e.status });
    for (const s of r.subtests) {
      const se = e.subtest(s.name);
      if (!se.includes(s.status)) out.push({ test: r.test, subtest: s.name, status: s.status, expected: se });
    }
  }
  return out;
}

/**
 * Parses every .ini under `dir` (when it exists), so a broken file is exit 2 before any browser
 * starts rather than after the run that was to update it. Returns how many files it read.
 */
export function checkMetadataDir(dir: string): number {
  if (!existsSync(dir)) return 0;
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory: expectation files go in a folder.`);
  let n = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && e.name.endsWith('.ini')) {
        readManifest(full);
        n++;
      }
    }
  };
  walk(dir);
  return n;
}

// ---- writing: wpt update-expectations ----

/** One browser's run, as the update sees it. */
export interface UpdateRun {
  runInfo: RunInfo;
  results: readonly ResultLike[];
}

interface Observation {
  runInfo: RunInfo;
  status: string;
}

const variable = (name: string): Expr => ({ type: 'variable', name, index: [] });
const equals = (name: string, value: string): Expr => ({
  type: 'binary',
  op: '==',
  left: variable(name),
  right: { type: 'string', value, index: [] },
});

/**
 * The condition singling out one run among all the runs of an update: its product, and its
 * browser_channel when another run has the same product (WebKitGTK with and without a feature).
 */
function conditionFor(runInfo: RunInfo, all: readonly RunInfo[]): Expr {
  const product = String(runInfo['product']);
  const twins = all.filter((r) => String(r['product']) === product && r['browser_channel'] !== runInfo['browser_channel']);
  const byProduct = equals('product', product);
  if (!twins.length || runInfo['browser_channel'] === undefined || runInfo['browser_channel'] === null) return byProduct;
  return { type: 'binary', op: 'and', left: byProduct, right: equals('browser_channel', String(runInfo['browser_channel'])) };
}

const plain = (statuses: Expected): PlainValue =>
  statuses.length === 1
    ? { type: 'value', value: statuses[0], comments: [] }
    : { type: 'list', items: statuses.map((s) => ({ type: 'value', value: s, comments: [] })), comments: [] };

function statusesOf(node: PlainValue): Expected {
  if (node.type === 'value') return [node.value];
  if (node.type === 'list') return node.items.flatMap((i) => (i.type === 'value' ? [i.value] : []));
  return [];
}

/**
 * Sets `key` on a heading so each observed run's status is expected, the way `wpt
 * update-expectations` does: a run whose status was expected keeps its value (a known
 * intermittent list stays); the others get their status. Conditions that hold for none of the
 * observed runs stay (other browsers' expectations); the ones the runs took are replaced by one
 * condition per differing run (its product), the commonest value becoming the default. Returns
 * whether the heading changed.
 */
// long: one decision (keep, replace, or write conditions) read best in one place, step by step.
export function updateKey(
  node: DataNode,
  key: string,
  observations: readonly Observation[],
  fallbackStatus: string,
  allRuns: readonly RunInfo[],
): boolean {
  const kv = keyNode(node, key);
  const current = (runInfo: RunInfo): { index: number; statuses: Expected } => {
    const index = kv ? selectValue(kv, runInfo) : -1;
    if (!kv || index < 0) return { index, statuses: [fallbackStatus] };
    const v = kv.values[index];
    return { index, statuses: statusesOf(v.type === 'conditional' ? v.value : v) };
  };
  if (observations.every((o) => current(o.runInfo).statuses.includes(o.status))) return false;

  // Each run's new value, merged per condition (two runs of one browser that differ: a list).
  const byCondition = new Map<string, { condition: Expr; statuses: Expected }>();
  for (const o of observations) {
    const now = current(o.runInfo).statuses;
    const value = now.includes(o.status) ? now : [o.status];
    const condition = conditionFor(o.runInfo, allRuns);
    const id = serializeExpr(condition);
    const entry = byCondition.get(id);
    if (entry) entry.statuses = [...new Set([...entry.statuses, ...value])];
    else byCondition.set(id, { condition, statuses: value });
  }
  const kept = (kv?.values ?? []).filter(
    (v): v is ConditionalNode => v.type === 'conditional' && !observations.some((o) => matches(v.condition, o.runInfo)),
  );
  const groups = new Map<string, { statuses: Expected; conditions: Expr[] }>();
  for (const { condition, statuses } of byCondition.values()) {
    const id = statuses.join('\0');
    const g = groups.get(id) ?? { statuses, conditions: [] };
    g.conditions.push(condition);
    groups.set(id, g);
  }
  // The commonest value is the default; on a tie, the built-in default when it is one of them.
  const ranked = [...groups.values()].sort(
    (a, b) =>
      b.conditions.length - a.conditions.length ||
      Number(isDefault(b.statuses, fallbackStatus)) - Number(isDefault(a.statuses, fallbackStatus)),
  );
  const [fallback, ...others] = ranked;
  const conditionals: ConditionalNode[] = others
    .flatMap((g) => g.conditions.map((condition) => ({ type: 'conditional' as const, condition, value: plain(g.statuses), comments: [] })))
    // More specific conditions (product and channel) first.
    .sort(
      (a, b) =>
        Number(b.condition.type === 'binary' && b.condition.op === 'and') -
        Number(a.condition.type === 'binary' && a.condition.op === 'and'),
    );
  const values: KeyValueNode['values'] = [...kept, ...conditionals];
  // A default equal to the built-in one is left out (no `expected: PASS` lines).
  if (!isDefault(fallback.statuses, fallbackStatus)) values.push(plain(fallback.statuses));
  if (!values.length) {
    if (kv) node.children.splice(node.children.indexOf(kv), 1);
    return true;
  }
  if (kv) kv.values = values;
  else {
    const firstHeading = node.children.findIndex((c) => c.type === 'data');
    node.children.splice(firstHeading < 0 ? node.children.length : firstHeading, 0, { type: 'key', key, values, comments: [] });
  }
  return true;
}

const isDefault = (statuses: Expected, fallbackStatus: string) => statuses.length === 1 && statuses[0] === fallbackStatus;

function heading(parent: DataNode, name: string): DataNode {
  const found = section(parent, name);
  if (found) return found;
  const node: DataNode = { type: 'data', name, children: [], comments: [] };
  parent.children.push(node);
  return node;
}

/** Drops headings left with nothing in them (as wptrunner does), deepest first. */
function prune(node: DataNode): void {
  for (const child of [...node.children]) {
    if (child.type !== 'data') continue;
    prune(child);
    if (!child.children.length) node.children.splice(node.children.indexOf(child), 1);
  }
}

/**
 * Writes (or updates) the expectation files under `dir` so that every status of these runs is
 * expected; files left empty are removed. Returns the files written and removed (relative paths).
 */
export function updateMetadata(dir: string, runs: readonly UpdateRun[]): { written: string[]; removed: string[] } {
  const allRuns = runs.map((r) => r.runInfo);
  const byFile = new Map<string, Map<string, Array<{ runInfo: RunInfo; result: ResultLike }>>>();
  for (const run of runs) {
    for (const result of run.results) {
      const { file, heading: name } = metadataLocation(result.test);
      const tests = byFile.get(file) ?? new Map<string, Array<{ runInfo: RunInfo; result: ResultLike }>>();
      tests.set(name, [...(tests.get(name) ?? []), { runInfo: run.runInfo, result }]);
      byFile.set(file, tests);
    }
  }
  const written: string[] = [];
  const removed: string[] = [];
  for (const [file, tests] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const path = join(dir, ...file.split('/'));
    const root = readManifest(path) ?? { type: 'data', name: null, children: [], comments: [] };
    let changed = false;
    for (const [name, seen] of tests) {
      const test = heading(root, name);
      changed =
        updateKey(
          test,
          'expected',
          seen.map((s) => ({ runInfo: s.runInfo, status: s.result.status })),
          DEFAULT_TEST_STATUS,
          allRuns,
        ) || changed;
      const subtests = [...new Set(seen.flatMap((s) => s.result.subtests.map((t) => t.name)))];
      for (const sub of subtests) {
        const observations = seen.flatMap((s) =>
          s.result.subtests.filter((t) => t.name === sub).map((t) => ({ runInfo: s.runInfo, status: t.status })),
        );
        changed = updateKey(heading(test, sub), 'expected', observations, DEFAULT_SUBTEST_STATUS, allRuns) || changed;
      }
    }
    prune(root);
    const text = serialize(root);
    if (!text) {
      if (existsSync(path)) {
        rmSync(path);
        removed.push(file);
      }
      continue;
    }
    if (!changed && existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(relative(dir, path).split(sep).join('/'));
  }
  return { written, removed };
}
