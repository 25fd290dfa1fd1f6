// What bgprobe tells a CI beside its reports: GitHub workflow commands (escaping, one line each,
// levels that follow --fail-on), the step summary file, and the flags that steer them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  STEP_SUMMARY_LIMIT,
  escapeData,
  findingAnnotations,
  escapeProperty,
  publishToCi,
  reportAnnotations,
  workflowCommand,
  type Annotation,
} from '../../src/cli/ci.js';
import type { Output } from '../../src/cli/output.js';
import { parseArgs } from '../../src/cli/parse.js';
import type { AuditOptions, CompatOptions, MergeOptions, WptOptions } from '../../src/cli/options.js';
import { runMergeCommand } from '../../src/cli/commands/merge.js';
import { UsageError } from '../../src/errors.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { compareMerged, mergeReports } from '../../src/report/merge.js';
import { selectionMatcher } from '../../src/scenarios/registry.js';
import { EVIL, model, result } from './report-fixture.js';

function recorder(): Output & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), isTTY: false, status: () => undefined };
}

/** What GitHub's runner does with a command line: split at the first `::` after the name, unescape. */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const un = (s: string) => s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  const props = Object.fromEntries(
    (m[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), un(kv.slice(i + 1))];
      }),
  );
  return { command: m[1], props, message: un(m[3]) };
}

describe('workflow command escaping', () => {
  it('escapes % first, then CR and LF, in a message', () => {
    expect(escapeData('100%\r\nnext %0A')).toBe('100%25%0D%0Anext %250A');
  });

  it('also escapes : and , in a property', () => {
    expect(escapeProperty('a: b, c%\n')).toBe('a%3A b%2C c%25%0A');
  });

  it('keeps a hostile title and message on one line that parses back to the same strings', () => {
    const a: Annotation = { level: 'error', title: `t: x, y ::error::${EVIL}\r\n`, message: `line 1\nline 2\r ::warning::x %0A ${EVIL}` };
    const line = workflowCommand(a);
    expect(line.split(/[\r\n]/)).toHaveLength(1);
    expect(parseCommand(line)).toEqual({ command: 'error', props: { title: a.title }, message: a.message });
  });
});

describe('reportAnnotations', () => {
  const report = model([
    result('fetch.ok', 'chromium', 'conforms'),
    result('fetch.dev', 'chromium', 'deviates', { summary: 'Reported SUCCESS although the server cut the body' }),
    result('fetch.err', 'chromium', 'error', { summary: 'browser crashed' }),
    result('fetch.unsup', 'chromium', 'unsupported'),
  ]);

  it('names each deviation and error with its scenario id; the level follows --fail-on', () => {
    const byDefault = reportAnnotations(report, ['errors']);
    expect(byDefault.map((a) => [a.level, a.title])).toEqual([
      ['warning', 'bgprobe: fetch.dev [chromium] deviates'],
      ['error', 'bgprobe: fetch.err [chromium] error'],
    ]);
    expect(byDefault[0].message).toBe('fetch.dev [chromium]: Reported SUCCESS although the server cut the body');
    expect(reportAnnotations(report, ['deviates']).map((a) => a.level)).toEqual(['error', 'error']);
    expect(reportAnnotations(report, ['regressions']).map((a) => a.level)).toEqual(['warning', 'warning']);
  });

  it('adds one per regression, a missing result included; onlyFailing keeps what fails the build', () => {
    const base = model([
      result('fetch.dev', 'chromium', 'conforms'),
      result('fetch.gone', 'chromium', 'conforms'),
      result('fetch.err', 'chromium', 'error'),
    ]);
    const withComparison = { ...report, comparison: compareMerged(base, report, 'last/report.json', () => true) };
    const gate = reportAnnotations(withComparison, ['regressions'], { onlyFailing: true });
    expect(gate).toEqual([
      {
        level: 'error',
        title: 'bgprobe: fetch.dev [chromium] regressed',
        message: 'fetch.dev [chromium] regressed against last/report.json: conforms -> deviates',
      },
      {
        level: 'error',
        title: 'bgprobe: fetch.gone [chromium] regressed',
        message: 'fetch.gone [chromium] regressed against last/report.json: conforms -> missing (the scenario did not run)',
      },
    ]);
    // merge computes the comparison itself, so its regressions are always annotated (a warning when they do not gate).
    expect(reportAnnotations(withComparison, ['errors'], { onlyFailing: true }).map((a) => [a.level, a.title])).toEqual([
      ['error', 'bgprobe: fetch.err [chromium] error'],
      ['warning', 'bgprobe: fetch.dev [chromium] regressed'],
      ['warning', 'bgprobe: fetch.gone [chromium] regressed'],
    ]);
  });
});

describe('a regression with changed fields (wpt: the subtest that stopped passing)', () => {
  it('names the fields in the annotation, three at most', () => {
    const report = model([result('/background-fetch/fetch.https.window.html', 'chromium', 'deviates')]);
    const observed = ['a', 'b', 'c', 'd'].map((n) => ({ path: `subtests.${n}`, from: '"PASS"', to: '"FAIL"' }));
    report.comparison = {
      baseline: 'last/wptreport.json',
      regressions: 1,
      changes: [
        {
          scenarioId: '/background-fetch/fetch.https.window.html',
          browser: 'chromium',
          kind: 'regression',
          from: 'conforms',
          to: 'deviates',
          observed,
        },
      ],
    };
    const [a] = reportAnnotations(report, ['regressions'], { onlyFailing: true });
    expect(a?.message).toBe(
      '/background-fetch/fetch.https.window.html [chromium] regressed against last/wptreport.json: conforms -> deviates (subtests.a: "PASS" -> "FAIL"; subtests.b: "PASS" -> "FAIL"; subtests.c: "PASS" -> "FAIL"; ...)',
    );
  });
});

describe('findingAnnotations (audit)', () => {
  const finding = (code: string, severity: 'error' | 'warning' | 'info', fetch: string | null) => ({
    code,
    severity,
    message: `${code}: what to change`,
    evidence: {},
    fetch,
  });
  it('one per finding with the fetch id; the level follows --fail-on; an info that does not fail is left out', () => {
    const list = [
      finding('no-listener', 'error', 'episode-5'),
      finding('icon-without-sizes', 'warning', 'episode-5'),
      finding('no-update-ui', 'info', null),
    ];
    expect(findingAnnotations(list, 'error')).toEqual([
      {
        level: 'error',
        title: 'bgprobe audit: no-listener (fetch "episode-5")',
        message: 'error no-listener in fetch "episode-5": no-listener: what to change',
      },
      {
        level: 'warning',
        title: 'bgprobe audit: icon-without-sizes (fetch "episode-5")',
        message: 'warning icon-without-sizes in fetch "episode-5": icon-without-sizes: what to change',
      },
    ]);
    expect(findingAnnotations(list, 'info').map((a) => [a.level, a.title])).toEqual([
      ['error', 'bgprobe audit: no-listener (fetch "episode-5")'],
      ['error', 'bgprobe audit: icon-without-sizes (fetch "episode-5")'],
      ['error', 'bgprobe audit: no-update-ui (the run)'],
    ]);
  });
});

describe('publishToCi', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-ci-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const annotations: Annotation[] = [
    { level: 'warning', title: 'bgprobe: fetch.dev [chromium] deviates', message: 'fetch.dev [chromium]: 50%\ncut' },
  ];

  it('appends the Markdown to GITHUB_STEP_SUMMARY (keeping what earlier steps wrote) and prints the commands on stdout', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '# Earlier step\n');
    const out = recorder();
    const markdown = renderMarkdown(model([result('fetch.dev', 'chromium', 'deviates')]));
    publishToCi(out, { GITHUB_STEP_SUMMARY: file, GITHUB_ACTIONS: 'true' }, { markdown, annotations, stepSummary: true });
    publishToCi(out, { GITHUB_STEP_SUMMARY: file }, { markdown: '## second', annotations, stepSummary: true });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`# Earlier step\n${markdown}`)).toBe(true);
    expect(text).toContain('| Scenario | chromium |');
    expect(text.endsWith('## second\n\n')).toBe(true);
    // Only the first call ran "in GitHub Actions".
    expect(out.outLines).toEqual(['::warning title=bgprobe%3A fetch.dev [chromium] deviates::fetch.dev [chromium]: 50%25%0Acut']);
    expect(out.errLines).toEqual([]);
  });

  it('writes nothing with --no-step-summary, without the variable, or outside GitHub Actions', () => {
    const file = join(dir, 'summary.md');
    const out = recorder();
    publishToCi(out, { GITHUB_STEP_SUMMARY: file, GITHUB_ACTIONS: 'false' }, { markdown: '## x', annotations, stepSummary: false });
    publishToCi(out, { GITHUB_ACTIONS: '' }, { markdown: '## x', annotations, stepSummary: true });
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(out.outLines).toEqual([]);
  });

  it("a summary that would pass GitHub's 1 MiB limit leaves a pointer instead of dropping the step's summary", () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'x'.repeat(STEP_SUMMARY_LIMIT - 100));
    publishToCi(
      recorder(),
      { GITHUB_STEP_SUMMARY: file },
      { markdown: `## big\n${'| row |\n'.repeat(50)}`, annotations: [], stepSummary: true },
    );
    const tail = readFileSync(file, 'utf8').slice(STEP_SUMMARY_LIMIT - 100);
    expect(tail).toMatch(/^bgprobe: the summary \(\d+ bytes\) would pass GitHub's 1 MiB step summary limit: see report\.md/);
    expect(tail).not.toContain('## big');
  });

  it('a summary file it cannot write costs one warning line, not the run', () => {
    const out = recorder();
    publishToCi(
      out,
      { GITHUB_STEP_SUMMARY: join(dir, 'no/such/dir/summary.md') },
      { markdown: '## x', annotations: [], stepSummary: true },
    );
    expect(out.errLines).toHaveLength(1);
    expect(out.errLines[0]).toMatch(/could not append the summary to GITHUB_STEP_SUMMARY .*--no-step-summary/);
  });
});

describe('flags', () => {
  async function options<T>(argv: string[]): Promise<T> {
    const parsed = await parseArgs(argv);
    if (parsed.kind !== 'run') throw new Error('expected a run');
    return parsed.options as T;
  }

  it('--no-step-summary turns the step summary off for compat, merge, wpt and audit', async () => {
    expect((await options<CompatOptions>(['compat'])).stepSummary).toBe(true);
    expect((await options<CompatOptions>(['compat', '--no-step-summary'])).stepSummary).toBe(false);
    expect((await options<MergeOptions>(['merge', 'a.json', '--no-step-summary'])).stepSummary).toBe(false);
    expect((await options<WptOptions>(['wpt', '--wpt-root', 'wpt'])).stepSummary).toBe(true);
    expect((await options<WptOptions>(['wpt', '--wpt-root', 'wpt', '--no-step-summary'])).stepSummary).toBe(false);
    expect((await options<AuditOptions>(['audit', 'http://127.0.0.1:8080/', '--no-step-summary'])).stepSummary).toBe(false);
    await expect(options(['compat', '--step-summary=maybe'])).rejects.toThrow(/on\/off flag/);
  });

  it('merge gates nothing by default; --fail-on regressions needs --baseline', async () => {
    expect(await options<MergeOptions>(['merge', 'a.json', 'b.json'])).toMatchObject({ failOn: [], baseline: null });
    expect(await options<MergeOptions>(['merge', 'a.json', '--baseline', 'last.json', '--fail-on', 'regressions,errors'])).toMatchObject({
      failOn: ['regressions', 'errors'],
      baseline: 'last.json',
    });
    await expect(options(['merge', 'a.json', '--fail-on', 'regressions'])).rejects.toThrow(/needs --baseline/);
    await expect(options(['merge', 'a.json', '--fail-on', 'never'])).rejects.toThrow(/Unknown --fail-on "never"/);
  });
});

describe('compareMerged', () => {
  it("compares over the run's selection: a shard that never arrived is missing, other scenarios are not", () => {
    const shard1 = model([result('fetch.a', 'chromium', 'conforms')]);
    shard1.run = { ...shard1.run, shard: { index: 1, total: 2 }, selection: ['fetch.*'] };
    const merged = mergeReports([{ model: shard1, source: 's1' }]);
    const base = model(
      [
        result('fetch.a', 'chromium', 'conforms'),
        result('fetch.b', 'chromium', 'conforms'),
        result('ui.click', 'chromium', 'conforms'),
        result('fetch.a', 'firefox', 'conforms'),
      ],
      ['chromium', 'firefox'],
    );
    const c = compareMerged(base, merged, 'base.json', selectionMatcher(merged.run.selection));
    expect(c.changes.map((ch) => [ch.kind, ch.scenarioId, ch.browser])).toEqual([['removed', 'fetch.b', 'chromium']]);
    expect(c.regressions).toBe(1);
  });
});

describe('bgprobe merge as the gate of a sharded run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-merge-gate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function shardFile(index: number, results: ReturnType<typeof result>[]): string {
    const m = model(results);
    m.run = { ...m.run, shard: { index, total: 2 }, selection: ['fetch.*'] };
    const path = join(dir, `shard-${index}.json`);
    writeFileSync(path, renderJson(m));
    return path;
  }
  const run = (o: Partial<MergeOptions> & { inputs: string[] }) => {
    const out = recorder();
    const ctx = {
      output: out,
      cwd: dir,
      interrupt: { requested: false, promise: new Promise<void>(() => undefined), dispose: () => undefined },
    };
    return runMergeCommand({ out: 'merged', formats: ['json', 'md'], baseline: null, failOn: [], stepSummary: false, ...o }, ctx).then(
      (code) => ({ code, out }),
    );
  };

  it('exits 1 on a regression against the baseline, 0 without one or without --fail-on, and keeps the comparison in the report', async () => {
    const a = shardFile(1, [result('fetch.a', 'chromium', 'conforms')]);
    const b = shardFile(2, [result('fetch.b', 'chromium', 'deviates')]);
    const base = join(dir, 'base.json');
    writeFileSync(base, renderJson(model([result('fetch.a', 'chromium', 'conforms'), result('fetch.b', 'chromium', 'conforms')])));
    expect((await run({ inputs: [a, b] })).code).toBe(0);
    expect((await run({ inputs: [a, b], baseline: base })).code).toBe(0);
    const gated = await run({ inputs: [a, b], baseline: base, failOn: ['regressions'] });
    expect(gated.code).toBe(1);
    expect(gated.out.errLines).toContain('  regression  fetch.b [chromium]: conforms -> deviates');
    const written = JSON.parse(readFileSync(join(dir, 'merged/report.json'), 'utf8')) as {
      comparison: { regressions: number; baseline: string };
    };
    expect(written.comparison).toMatchObject({ regressions: 1, baseline: base });
    expect(readFileSync(join(dir, 'merged/report.md'), 'utf8')).toContain('**regression** fetch.b on chromium: conforms → deviates');
  });

  it('a shard whose report never arrived fails the gate', async () => {
    const a = shardFile(1, [result('fetch.a', 'chromium', 'conforms')]);
    const base = join(dir, 'base.json');
    writeFileSync(base, renderJson(model([result('fetch.a', 'chromium', 'conforms'), result('fetch.b', 'chromium', 'conforms')])));
    const gated = await run({ inputs: [a], baseline: base, failOn: ['regressions'] });
    expect(gated.code).toBe(1);
    expect(gated.out.errLines.join('\n')).toMatch(
      /shard 2\/2 is not among the inputs[\s\S]*removed {5}fetch\.b \[chromium\]: conforms -> none/,
    );
  });

  it('a baseline that is not there is bad input (exit 2 in main), before anything is written', async () => {
    const a = shardFile(1, [result('fetch.a', 'chromium', 'conforms')]);
    await expect(run({ inputs: [a], baseline: join(dir, 'missing.json'), failOn: ['regressions'] })).rejects.toThrow(UsageError);
    expect(() => readFileSync(join(dir, 'merged/report.json'))).toThrow(/ENOENT/);
  });
});
