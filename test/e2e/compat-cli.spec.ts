// `bgprobe compat` as a user runs it: the built CLI in a child process, real Chromium, real
// fixture server. Collect the files, then assert on them.
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { discoverBrowser } from '../../src/browsers/discover.js';
import { validateReport } from '../../src/report/load.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const SUBSET = ['fetch.success.one', 'fetch.reject.empty-requests', 'failure.bad-status', 'failure.dropped-mid-body'];
const EVIL = '<img src=x onerror=alert(1)> ]]> \u0001';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bgprobe(args: string[], timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Report {
  schemaVersion: number;
  results: Array<{
    scenarioId: string;
    browser: string;
    verdict: string;
    summary: string;
    evidence: { events: Array<{ name: string }>; fetches: Array<{ id: string }>; server: Array<{ url: string }> };
  }>;
  comparison: { regressions: number; changes: Array<{ scenarioId: string; kind: string }> } | null;
  summary: { total: number };
}

/** Every report.json this spec reads is first checked against reports/report.schema.json. */
const readJson = (path: string): Report => validateReport(JSON.parse(readFileSync(path, 'utf8')), path);
const verdicts = (r: Report) => Object.fromEntries(r.results.map((x) => [`${x.scenarioId}@${x.browser}`, x.verdict]));
const subsetArgs = SUBSET.flatMap((s) => ['--scenario', s]);

test.describe.serial('bgprobe compat', () => {
  let dir: string;
  let full: Report;

  test.beforeAll(() => {
    test.setTimeout(180_000);
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-compat-e2e-'));
    // dist/ is fresh: the e2e global set-up built it before any test ran.
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a subset run writes all four formats with the verdicts observed', async () => {
    test.setTimeout(150_000);
    const out = join(dir, 'full');
    const run = await bgprobe(['compat', ...subsetArgs, '--workers', '2', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Report: .*report\.html/);
    full = readJson(join(out, 'report.json'));
    expect(full.schemaVersion).toBe(1);
    expect(verdicts(full)).toEqual({
      'fetch.success.one@chromium': 'conforms',
      'fetch.reject.empty-requests@chromium': 'conforms',
      'failure.bad-status@chromium': 'conforms',
      // Measured on Chromium 150: a body cut mid-way is reported as a success.
      'failure.dropped-mid-body@chromium': 'deviates',
    });
    const one = full.results.find((r) => r.scenarioId === 'fetch.success.one')!;
    expect(one.evidence.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['Background Fetch registered', 'Background Fetch completed']),
    );
    expect(one.evidence.server.some((s) => s.url.startsWith('{fixture}/res/episode.mp3'))).toBe(true);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const id of SUBSET) expect(html).toContain(id);
    // Deviations first: the dropped-body row comes before the conforming ones in the matrix.
    expect(html.indexOf('failure.dropped-mid-body')).toBeLessThan(html.indexOf('fetch.success.one'));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| failure\.dropped\\-mid\\-body \| ⚠️ deviates \|/);
    expect(md).toContain('### Deviations and errors');
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(4);
    expect((xml.match(/<failure /g) ?? []).length).toBe(1);
  });

  test('the HTML report in a browser: a badge opens its result below the filter bar, the filters hide rows', async () => {
    const { chromium } = await import('playwright-core');
    const { executablePath } = await discoverBrowser();
    const browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      await page.goto(`file://${join(dir, 'full', 'report.html')}`);
      // Anchors are ids, so a link kept from an earlier run still lands on the same result.
      // The first section (deviations first) has the page below it to scroll up: it lands at
      // the top, where the sticky filter bar would cover it.
      const badge = page.locator('table.matrix a.badge[href="#failure.dropped-mid-body@chromium"]');
      await expect(badge).toHaveText('deviates');
      await badge.click();
      const bar = await page.locator('nav.filters').boundingBox();
      const landed = await page.locator('[id="failure.dropped-mid-body@chromium"]').boundingBox();
      expect(await page.evaluate(() => window.scrollY), 'the page should have scrolled to the result').toBeGreaterThan(0);
      expect(landed!.y, 'the result should start below the sticky filter bar').toBeGreaterThanOrEqual(bar!.y + bar!.height);
      // A conforming result is closed; a link to it (a badge, or a URL with the hash) opens it.
      const result = page.locator('[id="fetch.success.one@chromium"]');
      await expect(result).not.toHaveAttribute('open');
      await page.locator('table.matrix a.badge[href="#fetch.success.one@chromium"]').click();
      await expect(result).toHaveAttribute('open', '');
      await page.goto(`file://${join(dir, 'full', 'report.html')}#failure.bad-status@chromium`);
      await expect(page.locator('[id="failure.bad-status@chromium"]')).toHaveAttribute('open', '');
      await page.fill('#q', 'dropped');
      await expect(page.locator('#shown')).toHaveText('1 scenario(s) shown');
      await page.fill('#q', '');
      await page.locator('input.vf[value="conforms"]').uncheck();
      await expect(page.locator('#shown')).toHaveText('1 scenario(s) shown');
      await expect(page.locator('tr.row:not(.hidden) code')).toHaveText('failure.dropped-mid-body');
    } finally {
      await browser.close();
    }
  });

  test('Background Fetch switched off by a flag reports unsupported, not a failure', async () => {
    test.setTimeout(120_000);
    const out = join(dir, 'off');
    const run = await bgprobe([
      'compat',
      '--browser-args=--disable-blink-features=BackgroundFetch',
      '--scenario',
      'fetch.success.one',
      '--scenario',
      'api.exposure.window',
      '--out',
      out,
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = readJson(join(out, 'report.json'));
    expect(r.results.map((x) => x.verdict)).toEqual(['unsupported', 'unsupported']);
    expect(r.results[0].browser).toContain('--disable-blink-features=BackgroundFetch');
  });

  test('--baseline detects a planted change and --fail-on regressions exits 1', async () => {
    test.setTimeout(120_000);
    const planted = JSON.parse(JSON.stringify(full)) as Report;
    planted.results.find((r) => r.scenarioId === 'failure.dropped-mid-body')!.verdict = 'conforms';
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify(planted));
    const out = join(dir, 'cmp');
    const run = await bgprobe([
      'compat',
      '--scenario',
      'failure.dropped-mid-body',
      '--baseline',
      baseline,
      '--fail-on',
      'regressions',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const r = readJson(join(out, 'report.json'));
    expect(r.comparison!.regressions).toBe(1);
    expect(r.comparison!.changes).toEqual([expect.objectContaining({ scenarioId: 'failure.dropped-mid-body', kind: 'regression' })]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('regression');
    const diff = await bgprobe(['diff', baseline, join(dir, 'full/report.json')]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/regression\s+failure\.dropped-mid-body \[chromium\]: conforms -> deviates/);
  });

  test('untrusted strings render as text in all four formats', async () => {
    const evil = JSON.parse(JSON.stringify(full)) as Report & { scenarios: Array<{ id: string; title: string }> };
    for (const sc of evil.scenarios) {
      sc.id = `${sc.id}${EVIL}`;
      sc.title = EVIL;
    }
    for (const r of evil.results) {
      r.summary = EVIL;
      r.scenarioId = `${r.scenarioId}${EVIL}`;
      for (const e of r.evidence.events) e.name = EVIL;
      for (const f of r.evidence.fetches) f.id = EVIL;
      for (const s of r.evidence.server) s.url = `{fixture}/${EVIL}`;
    }
    const input = join(dir, 'evil.json');
    writeFileSync(input, JSON.stringify(evil));
    const out = join(dir, 'evil');
    const run = await bgprobe(['report', input, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).not.toContain('<img');
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as {
      testsuites: { testsuite: { testcase: Array<{ '@name': string; 'system-out': string }> } };
    };
    const cases = parsed.testsuites.testsuite.testcase;
    expect(cases.length).toBe(4);
    expect(cases[0]['@name']).toContain('<img src=x onerror=alert(1)> ]]>');
    expect(cases[0]['system-out']).toContain(']]>');
    const json = readJson(join(out, 'report.json'));
    expect(json.results[0].summary).toBe(EVIL);
    // And the page really shows it as text: render it in Chromium and read it back.
    const { chromium } = await import('playwright-core');
    const browser = await chromium
      .launch({ executablePath: '/usr/bin/chromium', args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] })
      .catch(() => null);
    if (browser) {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`file://${join(out, 'report.html')}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('body').innerText()).toContain('<img src=x onerror=alert(1)>');
      expect(dialogs).toEqual([]);
      await browser.close();
    }
  });

  test('merging two shards gives the unsharded verdicts', async () => {
    test.setTimeout(150_000);
    const [a, b] = await Promise.all([
      bgprobe(['compat', ...subsetArgs, '--shard', '1/2', '--workers', '1', '--out', join(dir, 's1'), '--format', 'json']),
      bgprobe(['compat', ...subsetArgs, '--shard', '2/2', '--workers', '1', '--out', join(dir, 's2'), '--format', 'json']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readJson(join(dir, 's1/report.json')).summary.total).toBe(2);
    const merged = await bgprobe(['merge', join(dir, 's1/report.json'), join(dir, 's2/report.json'), '--out', join(dir, 'merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(verdicts(readJson(join(dir, 'merged/report.json')))).toEqual(verdicts(full));
  });

  test('--retries 0: a browser crash costs the scenario in flight, then the run goes on on a fresh browser', async () => {
    test.setTimeout(120_000);
    const out = join(dir, 'crash');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'compat',
        '--workers',
        '1',
        '--scenario',
        'failure.stalled-server',
        '--scenario',
        'fetch.reject.empty-requests',
        '--scenario',
        'fetch.reject.no-cors',
        '--retries',
        '0',
        '--out',
        out,
        '--format',
        'json',
      ],
      {
        cwd: REPO,
        env: { ...process.env, CI: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let killed = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && stderr.includes('start  failure.stalled-server')) {
        killed = 'pending';
        // The stalled scenario holds its fetch open for 5 s after its set-up (about 1 s): kill
        // its browser in the middle of that (a kill that lands in a slow set-up is an error too).
        setTimeout(() => {
          const pids = spawnSync('pgrep', ['-P', String(child.pid), '-f', 'chromium'], { encoding: 'utf8' })
            .stdout.trim()
            .split('\n')
            .filter(Boolean);
          killed = pids.join(',');
          for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
        }, 2_500);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(killed, stderr).toMatch(/^\d+/);
    expect(code, stderr).toBe(1);
    const r = readJson(join(out, 'report.json'));
    expect(verdicts(r)).toEqual({
      'failure.stalled-server@chromium': 'error',
      'fetch.reject.empty-requests@chromium': 'conforms',
      'fetch.reject.no-cors@chromium': 'conforms',
    });
    expect(r.results.find((x) => x.scenarioId === 'failure.stalled-server')!.summary).toMatch(/disconnected|crashed|closed/);
  });

  test('bad input: one clear line, exit 2, nothing overwritten', async () => {
    const out = join(dir, 'full');
    const before = readFileSync(join(out, 'report.json'), 'utf8');
    const cases: Array<[string[], RegExp]> = [
      [['compat', '--format', 'pdf', '--out', out], /Unknown report format "pdf"/],
      [['compat', '--shard', '3/2', '--out', out], /--shard "3\/2" is not valid/],
      [['compat', '--scenario', 'nope.*', '--out', out], /No scenario matches/],
      [['compat', '--scenario', 'fetch.*', '--scenario', 'nope.*', '--out', out], /No scenario matches "nope\.\*"/],
      [['compat', '--baseline', join(dir, 'missing.json'), '--out', out], /no such file/],
      [['report', join(dir, 'missing.json'), '--out', out], /no such file/],
    ];
    writeFileSync(join(dir, 'v9.json'), JSON.stringify({ schemaVersion: 9, browsers: [], scenarios: [], results: [] }));
    cases.push([['report', join(dir, 'v9.json'), '--out', out], /schemaVersion 9/]);
    cases.push([['merge', join(dir, 'v9.json'), '--out', out], /schemaVersion 9/]);
    for (const [args, message] of cases) {
      const run = await bgprobe(args, 30_000);
      expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'missing.json'))).toBe(false);
  });
});
