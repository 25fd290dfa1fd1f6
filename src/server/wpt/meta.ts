/**
 * `// META:` lines at the top of a `.js` test (what wptserve's wrappers read): the comment lines
 * before the first line of code, `key=value` each. And `META: global=` variants, the globals an
 * `.any.js` test runs in.
 */
export interface MetaEntry {
  key: string;
  value: string;
}

export function parseMeta(source: string): MetaEntry[] {
  const out: MetaEntry[] = [];
  for (const line of source.split(/\r?\n/)) {
    if (!line.startsWith('//')) break;
    const m = /^\/\/\s*META:\s*(\w*)=(.*)$/.exec(line);
    if (m) out.push({ key: m[1], value: m[2].trim() });
  }
  return out;
}

export const GLOBALS = ['window', 'dedicatedworker', 'sharedworker', 'serviceworker'] as const;
export type GlobalKind = (typeof GLOBALS)[number];

/**
 * `window,worker` -> window, dedicatedworker, sharedworker, serviceworker. Empty: window and
 * dedicatedworker (wptserve's default). `!x` removes; kinds this runner has no wrapper for
 * (shadowrealm, module workers, jsshell) are dropped.
 */
export function parseGlobals(value: string | undefined): GlobalKind[] {
  const set = new Set<string>();
  const tokens = (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const expand = (t: string): string[] =>
    t === 'worker' ? ['dedicatedworker', 'sharedworker', 'serviceworker'] : t === 'default' ? ['window', 'dedicatedworker'] : [t];
  if (!tokens.some((t) => !t.startsWith('!'))) for (const t of expand('default')) set.add(t);
  for (const t of tokens) {
    if (t.startsWith('!')) for (const x of expand(t.slice(1))) set.delete(x);
    else for (const x of expand(t)) set.add(x);
  }
  return GLOBALS.filter((g) => set.has(g));
}

/** The test URL suffix of each global for `X.any.js`. */
export const ANY_SUFFIX: Record<GlobalKind, string> = {
  window: '.any.html',
  dedicatedworker: '.any.worker.html',
  sharedworker: '.any.sharedworker.html',
  serviceworker: '.any.serviceworker.html',
};
