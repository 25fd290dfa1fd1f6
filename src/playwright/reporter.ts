/**
 * `bgprobe/reporter`: a Playwright reporter that writes one bgprobe report for the whole run.
 *
 *   reporter: [['html'], ['bgprobe/reporter', { outputFolder: 'bgprobe-report', failOn: 'error-findings' }]]
 *
 * It reads what each test attached (`bgprobe-timelines.json`, see attach.ts), so it works the
 * same under `npx playwright merge-reports`: a blob report carries every attachment (a body
 * inline, a file as a resource of the zip) and the merge replays the tests' events into this
 * reporter in another process. Retries are kept as attempts; a test that passed on a retry is
 * flaky. The files are the report's own formats (src/report/): report.html, report.json
 * (valid against reports/report.schema.json; the tests check it), report.md (appended to
 * $GITHUB_STEP_SUMMARY on GitHub Actions), junit.xml on request.
 *
 * `failOn` turns findings into a failed run: through onEnd's status in a test run; under
 * merge-reports, which ignores that status and exits 1 only when a reporter fails, by failing.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { spawn } from 'node:child_process';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { renderMarkdown } from '../report/markdown.js';
import type { ReportModel } from '../report/model.js';
import { writeReport, type Format } from '../report/write.js';
import { toolVersion } from '../util/version.js';
import { JSON_ATTACHMENT } from './attach.js';
import { decodeData, playwrightReport, type TestAttempt, type TestData, type TestEntry } from './run-model.js';

export const REPORTER_FAIL_ON = ['findings', 'error-findings', 'never'] as const;
export type ReporterFailOn = (typeof REPORTER_FAIL_ON)[number];
export const OPEN_MODES = ['always', 'never', 'on-failure'] as const;

export interface BgprobeReporterOptions {
  /** Where the report goes, relative to the config file's folder. Default 'bgprobe-report'. */
  outputFolder?: string;
  /** Open report.html when the run ends: 'never' (default), 'always', 'on-failure'. */
  open?: (typeof OPEN_MODES)[number];
  /** Fail the run when a recorded fetch has a finding ('findings': any severity) or an error finding. Default 'never'. */
  failOn?: ReporterFailOn;
  /** Also write junit.xml (one testcase per test and project). Default false. */
  junit?: boolean;
  /** Append report.md to $GITHUB_STEP_SUMMARY when it is set. Default true. */
  stepSummary?: boolean;
}

/** What Playwright adds to a reporter's options. */
interface PlaywrightAdded {
  configDir?: string;
  _mode?: string;
}

/** GitHub caps a step summary at 1 MiB; past that, a pointer to the file. */
const STEP_SUMMARY_MAX = 1024 * 1024 - 1024;

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`bgprobe/reporter: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}.`);
}

/** The attachment's data: a body (inline, blob reports too) or a file (a merged blob's resource); plain or gzip. */
function readData(result: TestResult): TestData | null {
  const a = result.attachments.find((x) => x.name === JSON_ATTACHMENT || x.name === `${JSON_ATTACHMENT}.gz`);
  const bytes = a?.body ?? (a?.path ? readFileSync(a.path) : null);
  return a && bytes ? decodeData(a.name, bytes) : null;
}

/** A link to the test's line on GitHub when the run is a GitHub Actions job, else the location as text. */
function githubLink(absFile: string, line: number): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha, GITHUB_WORKSPACE: workspace } = process.env;
  if (!server || !repo || !sha || !workspace) return null;
  const path = relative(workspace, absFile);
  if (path.startsWith('..') || isAbsolute(path)) return null;
  return `${server}/${repo}/blob/${sha}/${path.split(sep).join('/')}#L${line}`;
}

export class BgprobeReporter implements Reporter {
  private readonly options: Required<Omit<BgprobeReporterOptions, 'outputFolder'>> & { outputFolder: string };
  private readonly merging: boolean;
  private config: FullConfig | null = null;
  private readonly startedAt = Date.now();
  private readonly tests = new Map<string, TestEntry>();
  private readonly shards: Array<{ index: number; total: number } | null> = [];
  /** Where the last report was written (for tests and the summary line). */
  outputDir: string | null = null;

  constructor(options: BgprobeReporterOptions & PlaywrightAdded = {}) {
    const configDir = options.configDir ?? process.cwd();
    this.options = {
      outputFolder: resolve(configDir, options.outputFolder ?? 'bgprobe-report'),
      open: oneOf('open', options.open, OPEN_MODES, 'never'),
      failOn: oneOf('failOn', options.failOn, REPORTER_FAIL_ON, 'never'),
      junit: options.junit ?? false,
      stepSummary: options.stepSummary ?? true,
    };
    this.merging = options._mode === 'merge';
  }

  /**
   * Playwright's reporter API v2 (its own reporters use it): onConfigure(config), then
   * onBegin(suite), and onReportConfigure for each blob under merge-reports, which a v1
   * reporter never gets.
   */
  version(): 'v2' {
    return 'v2';
  }

  printsToStdio(): boolean {
    return false;
  }

  onConfigure(config: FullConfig): void {
    this.config = config;
  }

  onBegin(_config?: FullConfig | Suite, _suite?: Suite): void {}

  /** merge-reports: one call per blob report, with that shard's config. */
  onReportConfigure(params: { reportPath: string; config: FullConfig }): void {
    const s = params.config.shard;
    this.shards.push(s ? { index: s.current, total: s.total } : null);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    let data: TestData | null = null;
    let unreadable: string | undefined;
    try {
      data = readData(result);
    } catch (e) {
      // One bad attachment costs its test's data, not the run's report.
      unreadable = e instanceof Error ? e.message : String(e);
    }
    const project = test.parent.project()?.name || 'default';
    // Relative to the config file's folder, as Playwright's own reporters print locations.
    const base = this.config?.configFile ? dirname(this.config.configFile) : (this.config?.rootDir ?? process.cwd());
    const file = relative(base, test.location.file).split(sep).join('/');
    const key = `${project}\u0000${test.id}`;
    let entry = this.tests.get(key);
    if (!entry) {
      const titles = test.titlePath().slice(3);
      entry = {
        id: [file, ...titles].join(' › '),
        title: test.title,
        project,
        location: { file, line: test.location.line, column: test.location.column },
        expectedStatus: test.expectedStatus,
        attempts: [],
      };
      this.tests.set(key, entry);
    }
    const link = githubLink(test.location.file, test.location.line);
    if (link) entry.link = link;
    const attempt: TestAttempt = {
      retry: result.retry,
      status: result.status,
      startedAt: result.startTime.getTime(),
      durationMs: result.duration,
      error: result.error ? { message: result.error.message ?? String(result.error.value ?? ''), stack: result.error.stack ?? null } : null,
      data,
      ...(unreadable ? { unreadable } : {}),
    };
    entry.attempts.push(attempt);
  }

  onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    try {
      return Promise.resolve(this.end(result));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Write the report; the status that fails the run, or a throw under merge-reports. */
  private end(result: FullResult): { status?: FullResult['status'] } | undefined {
    const model = this.model(result);
    const formats: Format[] = ['html', 'json', 'md', ...(this.options.junit ? (['junit'] as const) : [])];
    writeReport(this.options.outputFolder, model, formats);
    this.outputDir = this.options.outputFolder;
    if (this.options.stepSummary) this.appendStepSummary(model);
    const gate = this.gate(model);
    const fetches = model.results.reduce((n, r) => n + r.evidence.fetches.length, 0);
    process.stdout.write(
      `\nbgprobe report: ${join(this.options.outputFolder, 'report.html')} (${model.results.length} test(s), ${fetches} background fetch(es))\n`,
    );
    if (gate) process.stdout.write(`bgprobe: ${gate}\n`);
    this.maybeOpen(result.status !== 'passed' || gate !== null);
    if (!gate) return undefined;
    // merge-reports exits 1 only for a reporter that failed; onEnd's status is not read there.
    if (this.merging) throw new Error(`bgprobe/reporter: ${gate}`);
    return result.status === 'passed' ? { status: 'failed' } : undefined;
  }

  /** The report of what was collected so far (onEnd writes it). */
  model(result: Pick<FullResult, 'status' | 'startTime' | 'duration'>): ReportModel {
    const tests = [...this.tests.values()].filter((t) => t.attempts.some((a) => a.data !== null || a.unreadable));
    const shard = this.config?.shard ? { index: this.config.shard.current, total: this.config.shard.total } : null;
    return playwrightReport(tests, {
      startedAt: result.startTime?.getTime() ?? this.startedAt,
      durationMs: result.duration ?? Date.now() - this.startedAt,
      interrupted: result.status === 'interrupted',
      shard: this.merging ? null : shard,
      mergedFrom: this.merging ? this.shards : [],
      workers: this.config?.workers ?? 1,
      timeoutMs: this.config?.projects[0]?.timeout ?? 0,
      retries: this.config?.projects[0]?.retries ?? 0,
      toolVersion: toolVersion(),
    });
  }

  /** Why the run fails (`2 error finding(s): unknown-event-listener ×1, ...`), or null. */
  private gate(model: ReportModel): string | null {
    if (this.options.failOn === 'never') return null;
    const counted = (model.summary.findings ?? []).filter((f) => this.options.failOn === 'findings' || f.severity === 'error');
    if (counted.length === 0) return null;
    const byCode = new Map<string, number>();
    for (const f of counted) byCode.set(f.code, (byCode.get(f.code) ?? 0) + f.fetches);
    const total = [...byCode.values()].reduce((a, b) => a + b, 0);
    const kind = this.options.failOn === 'findings' ? 'finding(s)' : 'error finding(s)';
    return `failOn '${this.options.failOn}': ${total} ${kind} in recorded background fetches (${[...byCode].map(([c, n]) => `${c} ×${n}`).join(', ')}); see the report.`;
  }

  private appendStepSummary(model: ReportModel): void {
    const target = process.env['GITHUB_STEP_SUMMARY'];
    if (!target) return;
    let md = renderMarkdown(model);
    const used = statSync(target, { throwIfNoEntry: false })?.size ?? 0;
    if (used + Buffer.byteLength(md) > STEP_SUMMARY_MAX)
      md = `## bgprobe: Playwright tests\n\nThe summary is too large for a step summary: see ${join(this.options.outputFolder, 'report.md')}.\n`;
    appendFileSync(target, `${md}\n`);
  }

  private maybeOpen(failed: boolean): void {
    const { open } = this.options;
    if (open === 'never' || (open === 'on-failure' && !failed) || process.env['CI']) return;
    const file = join(this.options.outputFolder, 'report.html');
    const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    const child = spawn(command, [file], { detached: true, stdio: 'ignore' });
    child.on('error', () => process.stdout.write(`bgprobe: could not open ${file} (${command} failed); open it in a browser.\n`));
    child.unref();
  }
}

export default BgprobeReporter;
