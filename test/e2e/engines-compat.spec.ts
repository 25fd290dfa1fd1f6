// The Firefox ESR and WebKitGTK lanes as a user runs them: the built CLI in a child process,
// the real engines (Firefox over WebDriver BiDi, WebKitGTK through WebKitWebDriver under
// Xvfb), the real fixture server. One run with every installed lane, then assertions on the
// files it wrote. A lane whose engine is not installed is skipped, saying so.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingPart } from '../../src/browsers/installed.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const FEATURE = '--features=+BackgroundFetchAPI';
const WEBKIT_ON = 'webkit-bgfetch';
const firefoxMissing = missingPart('firefox');
const webkitMissing = missingPart('webkit');

interface Result {
  scenarioId: string;
  browser: string;
  verdict: string;
  summary: string;
  observation: Record<string, unknown> | null;
  evidence: { steps: Array<{ what: string; result: unknown }>; server: unknown[] };
}
interface Report {
  browsers: Array<{ label: string; engine?: string; version: string | null }>;
  results: Result[];
  bcd: {
    rows: Array<{
      key: string;
      cells: Array<{
        browser: string;
        measured: string;
        disagrees: boolean;
        deviating: string[];
        bcd: { browser: string; support: string };
      }>;
    }>;
  };
}

/** The Background Fetch keys of the installed BCD, found by MDN's own web-features tag (not by bgprobe's selection). */
function taggedKeys(): string[] {
  const data = createRequire(import.meta.url)('@mdn/browser-compat-data') as { api: Record<string, unknown> };
  const out: string[] = [];
  const walk = (node: Record<string, unknown>, path: string) => {
    const compat = node['__compat'] as { tags?: string[] } | undefined;
    if (compat?.tags?.includes('web-features:background-fetch')) out.push(path);
    for (const [k, v] of Object.entries(node))
      if (k !== '__compat' && v && typeof v === 'object') walk(v as Record<string, unknown>, `${path}.${k}`);
  };
  walk(data.api, 'api');
  return out;
}

function bgprobe(args: string[], timeout = 150_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test.describe.serial('Firefox ESR and WebKitGTK lanes', () => {
  test.skip(
    firefoxMissing !== null && webkitMissing !== null,
    `Neither engine is installed (${firefoxMissing}; ${webkitMissing}): make engines`,
  );
  let dir: string;
  let report: Report;
  let stderr: string;
  const get = (scenarioId: string, browser: string) => {
    const r = report.results.find((x) => x.scenarioId === scenarioId && x.browser === browser);
    expect(r, `${scenarioId} on ${browser}`).toBeDefined();
    return r!;
  };

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-engines-e2e-'));
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
    const lanes: string[][] = [];
    if (!firefoxMissing) lanes.push(['firefox', '', 'firefox']);
    if (!webkitMissing) lanes.push(['webkit', '', 'webkit'], ['webkit', FEATURE, WEBKIT_ON]);
    const args = ['compat', '--out', join(dir, 'out'), '--format', 'json,md,html,junit,bcd'];
    for (const s of ['api.*', 'fetch.start.*', 'fetch.reject.*', 'fetch.success.one']) args.push('--scenario', s);
    for (const [browser, flags, label] of lanes) args.push('--browser', browser, `--browser-args=${flags}`, `--label=${label}`);
    const run = await bgprobe(args);
    stderr = run.stderr;
    expect(run.code, run.stderr).toBe(0);
    report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as Report;
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const lane of ['firefox', 'webkit'] as const) {
    test(`${lane} (default): the API is absent, measured: exposure unsupported, the rest unsupported with the probe as evidence`, () => {
      test.skip((lane === 'firefox' ? firefoxMissing : webkitMissing) !== null, `${lane} is not installed: make engines`);
      expect(report.browsers.find((b) => b.label === lane)?.engine).toBe(lane);
      for (const id of ['api.exposure.window', 'api.exposure.worker', 'api.exposure.bcd'])
        expect(get(id, lane).verdict, id).toBe('unsupported');
      expect(get('api.exposure.window', lane).observation).toMatchObject({
        BackgroundFetchManager: false,
        registrationBackgroundFetch: false,
      });
      expect(get('api.exposure.worker', lane).observation).toMatchObject({
        BackgroundFetchManager: false,
        BackgroundFetchEvent: false,
        fetchInWorker: false,
      });
      const bcd = get('api.exposure.bcd', lane).observation!;
      expect(Object.values(bcd['window'] as Record<string, unknown>).every((v) => v === false || v === null)).toBe(true);
      // A scenario that needs the API: unsupported because the exposure probe said so, with it as evidence.
      const empty = get('fetch.reject.empty-requests', lane);
      expect(empty.verdict).toBe('unsupported');
      expect(empty.summary).toMatch(/not exposed/);
      const probe = empty.evidence.steps.find((s) => s.what.startsWith('exposure probe'));
      expect(probe?.result).toEqual({ window: false, serviceWorker: false });
    });
  }

  test(`webkit ${FEATURE}: exposure conforms, fetch() is rejected with its error as evidence, rejection scenarios judged`, () => {
    test.skip(webkitMissing !== null, `WebKitGTK is not installed (${webkitMissing}): make engines`);
    expect(get('api.exposure.window', WEBKIT_ON).verdict).toBe('conforms');
    expect(get('api.exposure.worker', WEBKIT_ON).verdict).toBe('conforms');
    const bcd = get('api.exposure.bcd', WEBKIT_ON).observation!;
    expect((bcd['window'] as Record<string, unknown>)['api.BackgroundFetchManager']).toBe(true);
    expect((bcd['serviceWorker'] as Record<string, unknown>)['api.BackgroundFetchUpdateUIEvent.updateUI']).toBe(true);
    // WebKit asks its embedder for a permission WebDriver cannot grant (measured on 2.50).
    const start = get('fetch.start.resolves', WEBKIT_ON);
    expect(start.verdict).toBe('deviates');
    expect(start.observation).toMatchObject({
      resolved: false,
      rejected: { name: 'NotAllowedError', message: 'Background fetch permission is denied' },
    });
    expect(start.summary).toContain('NotAllowedError: Background fetch permission is denied');
    for (const id of [
      'fetch.reject.empty-requests',
      'fetch.reject.no-cors',
      'fetch.reject.credentials-in-url',
      'fetch.reject.blocked-port',
      'fetch.reject.quota',
      'fetch.reject.disallowed-scheme',
      'fetch.reject.no-active-worker',
    ]) {
      const r = get(id, WEBKIT_ON);
      expect(['conforms', 'deviates'], `${id}: ${r.summary}`).toContain(r.verdict);
      expect(
        r.evidence.steps.some((s) => /^page: (harness\.start|neverActive\.tryFetch)\(/.test(s.what)),
        id,
      ).toBe(true);
    }
    // What only CDP can judge is not guessed at.
    const one = get('fetch.success.one', WEBKIT_ON);
    expect(one.verdict).toBe('not-automatable');
    expect(one.summary).toMatch(/^Needs the CDP BackgroundService domain.*; WebKitGTK has none\.$/);
  });

  test('the BCD table: one row per BCD key of the installed package, a cell per browser, disagreements flagged', () => {
    const keys = taggedKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(report.bcd.rows.map((r) => r.key).sort()).toEqual([...keys].sort());
    const labels = report.browsers.map((b) => b.label);
    for (const row of report.bcd.rows) expect(row.cells.map((c) => c.browser)).toEqual(labels);
    const manager = report.bcd.rows.find((r) => r.key === 'api.BackgroundFetchManager')!;
    for (const c of manager.cells) {
      expect(c.bcd.browser).toBe(c.browser.startsWith('firefox') ? 'firefox' : 'safari');
      // BCD says no for Firefox and Safari: measured "no" agrees, measured "yes" (WebKit with the feature) is flagged.
      expect(c.disagrees).toBe(c.measured !== 'no');
    }
    if (!webkitMissing) {
      const fetchRow = report.bcd.rows.find((r) => r.key === 'api.BackgroundFetchManager.fetch')!;
      const on = fetchRow.cells.find((c) => c.browser === WEBKIT_ON)!;
      expect(on.measured).toBe('partial');
      expect(on.deviating).toContain('fetch.start.resolves');
    }
    const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('## MDN compat data, measured');
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect((html.match(/<td class="bcd-d\d" title="api\./g) ?? []).length).toBe(keys.length);
    expect(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')).toContain('classname="bgprobe.bcd.');
  });

  test('--format bcd: one mdn-bcd-collector file per browser, one entry per key and exposure', () => {
    const keys = taggedKeys();
    const files = readdirSync(join(dir, 'out'))
      .filter((f) => f.startsWith('bcd-'))
      .sort();
    expect(files).toEqual(report.browsers.map((b) => `bcd-${b.label}.json`).sort());
    for (const f of files) {
      const c = JSON.parse(readFileSync(join(dir, 'out', f), 'utf8')) as {
        __version: string;
        userAgent: string;
        results: Record<string, Array<{ exposure: string; name: string; result: boolean | null; message?: string }>>;
      };
      expect(c.__version).toMatch(/^bgprobe /);
      expect(c.userAgent).toMatch(/Mozilla\/5\.0/);
      const urls = Object.keys(c.results);
      expect(urls).toHaveLength(1);
      expect(urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/harness\/$/);
      const entries = c.results[urls[0]];
      expect(entries).toHaveLength(keys.length * 2);
      expect(new Set(entries.map((e) => `${e.exposure} ${e.name}`)).size).toBe(entries.length);
      expect(new Set(entries.map((e) => e.exposure))).toEqual(new Set(['Window', 'ServiceWorker']));
      expect(new Set(entries.map((e) => e.name))).toEqual(new Set(keys));
      for (const e of entries) expect([true, false, null]).toContain(e.result);
    }
    expect(stderr).not.toMatch(/selenium-manager|Downloading/i);
  });
});
