/**
 * The documents wptserve generates around a `.js` test: `X.window.js` is loaded by
 * `X.window.html`, `X.any.js` by `X.any.html` / `.any.worker.html` / `.any.sharedworker.html` /
 * `.any.serviceworker.html` (the workers load the script wrapper `X.any.worker.js`), and
 * `X.worker.js` by `X.worker.html`. The `// META:` lines of the test add scripts, a title and
 * the long timeout. Written here from wptserve's documented behaviour; the test files come from
 * the user's checkout.
 */
import { ANY_SUFFIX, parseGlobals, parseMeta, type GlobalKind, type MetaEntry } from './meta.js';
import { WrapperNotAvailable } from '../../errors.js';

export type WrapperKind =
  'window' | 'any-window' | 'any-dedicatedworker' | 'any-sharedworker' | 'any-serviceworker' | 'any-worker-script' | 'worker';

export interface WrapperRoute {
  kind: WrapperKind;
  /** The request path of the test source on disk (`/x/y.any.js`). */
  source: string;
  /** The global the wrapper needs the test to declare (`.any.*` only). */
  global: GlobalKind | null;
  /** What the generated document loads: the test source, or the worker script wrapper. */
  loads: string;
}

const ROUTES: ReadonlyArray<[suffix: string, kind: WrapperKind, sourceSuffix: string, loadsSuffix: string, global: GlobalKind | null]> = [
  ['.any.worker.js', 'any-worker-script', '.any.js', '.any.js', null],
  ['.any.html', 'any-window', '.any.js', '.any.js', 'window'],
  ['.any.worker.html', 'any-dedicatedworker', '.any.js', '.any.worker.js', 'dedicatedworker'],
  ['.any.sharedworker.html', 'any-sharedworker', '.any.js', '.any.worker.js', 'sharedworker'],
  ['.any.serviceworker.html', 'any-serviceworker', '.any.js', '.any.worker.js', 'serviceworker'],
  ['.window.html', 'window', '.window.js', '.window.js', null],
  ['.worker.html', 'worker', '.worker.js', '.worker.js', null],
];

/** The wrapper a request path asks for, or null for an ordinary file. */
export function wrapperRoute(path: string): WrapperRoute | null {
  for (const [suffix, kind, sourceSuffix, loadsSuffix, global] of ROUTES) {
    if (!path.endsWith(suffix)) continue;
    const stem = path.slice(0, -suffix.length);
    return { kind, source: stem + sourceSuffix, global, loads: stem + loadsSuffix };
  }
  return null;
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const js = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function htmlHead(meta: readonly MetaEntry[]): string {
  const lines = ['<!doctype html>', '<meta charset=utf-8>'];
  for (const { key, value } of meta) {
    if (key === 'timeout' && value === 'long') lines.push('<meta name="timeout" content="long">');
    if (key === 'title') lines.push(`<title>${html(value)}</title>`);
  }
  return lines.join('\n');
}

const scriptTags = (meta: readonly MetaEntry[]) =>
  meta.filter((m) => m.key === 'script').map((m) => `<script src="${html(m.value)}"></script>`);
const HARNESS = '<script src="/resources/testharness.js"></script>\n<script src="/resources/testharnessreport.js"></script>';

function globalObject(window: boolean): string {
  return `self.GLOBAL = {\n  isWindow: function() { return ${window}; },\n  isWorker: function() { return ${!window}; },\n  isShadowRealm: function() { return false; },\n};`;
}

function workerStart(kind: WrapperKind, url: string): string {
  const u = js(url);
  if (kind === 'any-sharedworker') return `fetch_tests_from_worker(new SharedWorker("${u}"));`;
  if (kind === 'any-serviceworker') {
    // A scope no test page is under: the worker only runs the tests, it controls nothing.
    return [
      '(async function() {',
      "  const scope = 'does/not/exist';",
      '  let reg = await navigator.serviceWorker.getRegistration(scope);',
      '  if (reg) await reg.unregister();',
      `  reg = await navigator.serviceWorker.register("${u}", {scope});`,
      '  fetch_tests_from_worker(reg.installing);',
      '})();',
    ].join('\n');
  }
  return `fetch_tests_from_worker(new Worker("${u}"));`;
}

/**
 * The generated document (or worker script) for `route`, from the test's source text.
 * `query` (with its `?`, or '') is passed on to what the document loads, as wptserve does.
 */
export function renderWrapper(route: WrapperRoute, source: string, query: string): { body: string; contentType: string } {
  const meta = parseMeta(source);
  if (route.global !== null && !parseGlobals(meta.find((m) => m.key === 'global')?.value).includes(route.global)) {
    throw new WrapperNotAvailable(`This test cannot be loaded in ${route.global} mode (its META: global= does not list it).`);
  }
  const loads = route.loads + query;
  switch (route.kind) {
    case 'window':
      return {
        contentType: 'text/html; charset=utf-8',
        body: [htmlHead(meta), HARNESS, ...scriptTags(meta), '<div id=log></div>', `<script src="${html(loads)}"></script>`, ''].join('\n'),
      };
    case 'any-window':
      return {
        contentType: 'text/html; charset=utf-8',
        body: [
          htmlHead(meta),
          `<script>\n${globalObject(true)}\n</script>`,
          HARNESS,
          ...scriptTags(meta),
          '<div id=log></div>',
          `<script src="${html(loads)}"></script>`,
          '',
        ].join('\n'),
      };
    case 'any-dedicatedworker':
    case 'any-sharedworker':
    case 'any-serviceworker':
    case 'worker':
      return {
        contentType: 'text/html; charset=utf-8',
        body: [htmlHead(meta), HARNESS, '<div id=log></div>', `<script>\n${workerStart(route.kind, loads)}\n</script>`, ''].join('\n'),
      };
    case 'any-worker-script': {
      const imports = meta.flatMap((m) =>
        m.key === 'script' ? [`importScripts("${js(m.value)}");`] : m.key === 'title' ? [`self.META_TITLE = "${js(m.value)}";`] : [],
      );
      return {
        contentType: 'text/javascript; charset=utf-8',
        body: [
          globalObject(false),
          'importScripts("/resources/testharness.js");',
          ...imports,
          `importScripts("${js(loads)}");`,
          'done();',
          '',
        ].join('\n'),
      };
    }
  }
}

/** The test URLs (paths) a test source file gives, one per global/variant; [] for a non-test. */
export function testUrlsFor(path: string, source: string): string[] {
  const meta = parseMeta(source);
  const variants = meta.filter((m) => m.key === 'variant').map((m) => m.value);
  const withVariants = (p: string) => (variants.length ? variants.map((v) => p + v) : [p]);
  if (path.endsWith('.any.js')) {
    const stem = path.slice(0, -'.any.js'.length);
    return parseGlobals(meta.find((m) => m.key === 'global')?.value).flatMap((g) => withVariants(stem + ANY_SUFFIX[g]));
  }
  if (path.endsWith('.window.js')) return withVariants(path.replace(/\.window\.js$/, '.window.html'));
  if (path.endsWith('.worker.js')) return withVariants(path.replace(/\.worker\.js$/, '.worker.html'));
  if (/\.html?$/.test(path) && /\/resources\/testharness\.js/.test(source)) return withVariants(path);
  return [];
}
