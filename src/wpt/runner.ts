/**
 * The WPT runner: each selected test file in a full Chromium of its own, on a fresh,
 * non-incognito profile (registrations, caches and background fetches persist in a profile, so
 * files must not share one), with the BackgroundService recorder attached to its context before
 * the test loads, up to `workers` files at a time. A test that never completes ends at its
 * timeout as TIMEOUT with the subtests it finished; a renderer or browser that dies is CRASH.
 * A file whose browser was lost (the process exited or the connection closed: not a renderer
 * crash, not a test's own failure) runs again on a fresh browser and profile, up to `retries`
 * times; the re-run's status is the file's, the result is flaky and keeps every run.
 */
import type { Browser, Page } from 'playwright-core';
import { discoverBrowser } from '../browsers/discover.js';
import { BackgroundServiceRecorder } from '../recorder/recorder.js';
import { joinServed } from '../recorder/served.js';
import { emptyEvidence, eventRow, fetchEvidence, type Evidence } from '../evidence/evidence.js';
import { servedView } from '../recorder/served.js';
import { generateCertificate, hostResolverRules, unimplementedHandlerText, WptServer, type WptCertificate } from '../server/wpt/index.js';
import type { ServedRequest } from '../server/index.js';
import { lostBrowser, retryLostBrowser } from '../browsers/lost.js';
import { bestEffort, debug } from '../util/debug.js';
import { settleWithin } from '../util/deadline.js';
import { BrowserLostError, TimeoutError } from '../errors.js';
import { browserSpecs } from '../browsers/spec.js';
import { DEFAULT_FORMATS } from '../report/formats.js';
import type { ReportModel } from '../report/model.js';
import { writeReport } from '../report/write.js';
import { shardByTime } from '../util/shard.js';
import { expectedMs } from '../report/durations.js';
import { checkWptRoot, isLongTimeout, selectTests } from './checkout.js';
import { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS, type WptConfig, type WptRunOptions } from './config.js';
import { wptReportModel } from './report.js';
import { regressions, toWptReport, type Regression } from './wptreport.js';
import { explainSubtests } from './explain.js';
import { TestPageChannel, type Completion } from './page.js';
import { BrowserReserve, disposeReady, launchFresh, type ReadyBrowser } from './reserve.js';
import { describeTiming, fileTiming, type FileMarks } from './timing.js';
import { byExpected } from '../util/schedule.js';
import type { WptAttempt, WptRun, WptTestResult } from './types.js';

const log = debug('bgprobe:wpt');


interface RunEnv {
  root: string;
  certificate: WptCertificate;
  executablePath: string;
  args: string[];
  headless: boolean;
  multiplier: number;
  /** The shared server on 443, when it could listen. */
  port443: WptServer | null;
  signal: AbortSignal | undefined;
  version: string | null;
  /** Fresh browsers, launched ahead of the files that take them. */
  reserve: BrowserReserve;
}

/** https on the default port for `https://{REMOTE_HOST}/`: without it Chromium leaves that fetch pending for over a minute. */
async function startPort443(env: Omit<RunEnv, 'port443' | 'version' | 'reserve'>): Promise<{ server: WptServer | null; why: string | null }> {
  try {
    return { server: await WptServer.start({ root: env.root, certificate: env.certificate, timeoutMultiplier: env.multiplier, http: [], https: [443] }), why: null };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    return { server: null, why: `https on 127.0.0.1:443 is not answered (${code}; listening there needs root or CAP_NET_BIND_SERVICE): a subtest fetching https://{REMOTE_HOST}/ waits for Chromium's own connection timeout.` };
  }
}

/**
 * Every default of a wpt run, in one place, applied once: the checkout is checked and the
 * selection resolved to test URLs (and sharded) here, before any browser starts. A config that
 * is already resolved is returned as it is.
 */
export function resolveWptConfig(options: WptRunOptions | WptConfig): WptConfig {
  if ('selected' in options) return options;
  const root = checkWptRoot(options.root);
  const tests = options.tests ?? [];
  const all = selectTests(root, tests);
  const shard = options.shard ?? null;
  const durations = options.durations ?? null;
  // A file's weight: what it took before, else its declared (harness) timeout.
  const weight = (t: string) => expectedMs(durations, t, '', isLongTimeout(root, t) ? 60_000 : 10_000);
  return {
    root,
    tests,
    selected: shard ? shardByTime(all, weight, shard.index, shard.total) : all,
    browser: options.browser ?? browserSpecs([], [], [])[0],
    headless: options.headless ?? true,
    workers: options.workers ?? DEFAULT_WPT_WORKERS,
    durations,
    launchAhead: options.launchAhead ?? Math.ceil((options.workers ?? DEFAULT_WPT_WORKERS) / 2),
    timeoutMultiplier: options.timeoutMultiplier ?? DEFAULT_TIMEOUT_MULTIPLIER,
    retries: options.retries ?? DEFAULT_WPT_RETRIES,
    shard,
    baseline: options.baseline ?? null,
    out: options.out ?? null,
    formats: options.formats ?? [...DEFAULT_FORMATS],
    signal: options.signal ?? null,
    onResult: options.onResult ?? null,
  };
}

export interface WptResult {
  run: WptRun;
  /** The run mapped onto the report format (report.ts), with the baseline's regressions as its comparison. */
  report: ReportModel;
  /** Subtests PASS in the baseline and not PASS now (empty without a baseline). */
  regressions: Regression[];
  /** Files written (wptreport.json and the report's formats), by name; empty without `out`. */
  files: Partial<Record<string, string>>;
}

/** The selected upstream tests in a full Chromium each, as wptreport.json and the report model. */
export async function runWpt(options: WptRunOptions | WptConfig): Promise<WptResult> {
  const config = resolveWptConfig(options);
  const run = await runTests(config);
  const found = config.baseline ? regressions(config.baseline.baseline, run) : [];
  const report = wptReportModel(run, config.baseline ? { name: config.baseline.name, regressions: found } : null);
  const files = config.out ? writeReport(config.out, report, config.formats, { extra: { 'wptreport.json': `${JSON.stringify(toWptReport(run), null, 2)}\n` } }) : {};
  return { run, report, regressions: found, files };
}

async function runTests(config: WptConfig): Promise<WptRun> {
  const startedAt = Date.now();
  const { executablePath } = await discoverBrowser(config.browser.target ?? undefined);
  const multiplier = config.timeoutMultiplier;
  const certificate = await generateCertificate();
  const args = [...config.browser.args, `--host-resolver-rules=${hostResolverRules()}`, `--ignore-certificate-errors-spki-list=${certificate.spkiHash}`];
  const base = { root: config.root, certificate, executablePath, args, headless: config.headless, multiplier, signal: config.signal ?? undefined };
  const p443 = await startPort443(base);
  const workers = Math.max(1, Math.min(config.workers, config.selected.length));
  const queue: string[] = [];
  const reserve = new BrowserReserve(() => launchFresh({ executablePath, args, headless: base.headless }), config.launchAhead, () => queue.length);
  const env: RunEnv = { ...base, port443: p443.server, version: null, reserve };
  const results: WptTestResult[] = [];
  // Longest expected first (a previous run's times), so the file that sets the floor starts at once.
  const { durations } = config;
  const tests = durations ? byExpected(config.selected.map((t) => ({ key: t, lane: '', claims: [], expectedMs: expectedMs(durations, t, '', 0) }))).map((j) => j.key) : config.selected;
  queue.push(...tests);
  const { retries } = config;
  let launches = 0;
  const worker = async () => {
    for (let test = queue.shift(); test !== undefined && !config.signal?.aborted; test = queue.shift()) {
      const tries = await retryLostBrowser(retries, () => runTest(test, env), (a) => a.browserLost);
      if (tries === null) break;
      launches += tries.length;
      const r = combineTries(tries);
      if (p443.why) r.evidence.notes.push(p443.why);
      results.push(r);
      config.onResult?.(r, results.length, tests.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await reserve.close();
    await p443.server?.close();
  }
  results.sort((a, b) => a.test.localeCompare(b.test));
  return {
    startedAt,
    durationMs: Date.now() - startedAt,
    interrupted: config.signal?.aborted === true,
    browser: { label: config.browser.label, executablePath, version: env.version, args: config.browser.args },
    timeoutMultiplier: multiplier,
    workers: config.workers,
    retries,
    launches,
    shard: config.shard,
    selection: config.tests,
    port443: p443.why,
    results,
  };
}

/** What the runner waits for a page: its harness timeout (10 s, 60 s for long tests, times the multiplier) plus time to report. */
function deadlineFor(env: RunEnv, test: string): number {
  return (isLongTimeout(env.root, test) ? 60_000 : 10_000) * env.multiplier + 10_000;
}

async function runTest(test: string, env: RunEnv): Promise<WptAttempt | null> {
  const startedAt = Date.now();
  const marks: FileMarks = { start: startedAt, server: null, browser: null, attached: null, committed: null, ended: null, closed: null, launchedAt: null, launchMs: null, deadline: false };
  let ready: ReadyBrowser | null = null;
  const channel = new TestPageChannel();
  const evidence = emptyEvidence();
  let outcome: Completion;
  let server: WptServer | null = null;
  let browser: Browser | null = null;
  let recorder: BackgroundServiceRecorder | null = null;
  // Inside the try: a server or a browser that cannot start costs this test (ERROR), not the run.
  try {
    server = await WptServer.start({ root: env.root, certificate: env.certificate, timeoutMultiplier: env.multiplier });
    marks.server = Date.now();
    ready = await env.reserve.take();
    browser = ready.browser;
    marks.browser = Date.now();
    marks.launchedAt = ready.launchedAt;
    marks.launchMs = ready.launchMs;
    env.version ??= browser.version();
    const context = browser.contexts()[0];
    await channel.install(context);
    recorder = await BackgroundServiceRecorder.attach(context, { services: ['backgroundFetch'], probes: true });
    for (const w of recorder.warnings) evidence.notes.push(`Recorder: ${w}`);
    const page = await context.newPage();
    const url = server.url(test, /\.https\./.test(test) ? 'https' : 'http');
    evidence.fixtureOrigin = new URL(url).origin;
    marks.attached = Date.now();
    outcome = await drive(page, url, channel, deadlineFor(env, test), env.signal, marks);
  } catch (e) {
    outcome = { status: 'ERROR', message: `bgprobe could not run the test: ${e instanceof Error ? e.message : String(e)}`, subtests: [...channel.partial] };
  }
  marks.ended = Date.now();
  // Asked before bgprobe closes it: a browser that is gone now went by itself (a renderer crash
  // leaves it connected, and is the test's CRASH, not a lost browser).
  const lost = browser !== null && !browser.isConnected() ? lostBrowser(new BrowserLostError(null)) : null;
  const served = [...(server?.requests() ?? []), ...(env.port443?.requests().filter((r) => r.startedAt >= startedAt) ?? [])].sort((a, b) => a.startedAt - b.startedAt);
  if (recorder) fillEvidence(evidence, recorder, served);
  // The browser goes first: a frozen page (a test that spins) never answers the recorder's
  // clean-up commands, while SIGTERM (then SIGKILL, in close()) ends it whatever it does.
  const used = ready;
  if (used) await bestEffort(log, 'close the browser', () => bounded(disposeReady(used), 'closing the browser'));
  const r = recorder;
  if (r) await bestEffort(log, 'recorder.dispose()', () => bounded(r.dispose(), 'recorder.dispose()'));
  await server?.close();
  marks.closed = Date.now();
  if (env.signal?.aborted) return null;
  const result = finish(test, startedAt, outcome, channel, evidence, served);
  const timing = fileTiming(marks, result.evidence, result.status === 'TIMEOUT');
  result.evidence.notes.push(describeTiming(timing));
  return { ...result, timing, browserLost: lost };
}

const TEARDOWN_MS = 15_000;

/** A teardown step that cannot hang the run (its failure is logged by bestEffort). */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  return settleWithin(p, TEARDOWN_MS, () => new TimeoutError(`${what} did not finish within ${TEARDOWN_MS} ms`));
}

/** Loads the test and waits for its completion, its deadline, a crash or an interrupt. */
async function drive(page: Page, url: string, channel: TestPageChannel, deadlineMs: number, signal: AbortSignal | undefined, marks: FileMarks): Promise<Completion> {
  let timer: NodeJS.Timeout | undefined;
  const partial = (status: Completion['status'], message: string): Completion => ({ status, message, subtests: [...channel.partial] });
  const stop = new Promise<Completion>((resolve) => {
    timer = setTimeout(() => {
      marks.deadline = true;
      resolve(partial('TIMEOUT', `The test did not complete within ${deadlineMs} ms (its harness timeout times --timeout-multiplier, plus 10 s).`));
    }, deadlineMs);
    page.once('crash', () => resolve(partial('CRASH', 'The renderer crashed.')));
    page.context().browser()?.once('disconnected', () => resolve(partial('CRASH', 'The browser went away.')));
    signal?.addEventListener('abort', () => resolve(partial('ERROR', 'Interrupted.')), { once: true });
  });
  try {
    const loaded = page.goto(url, { waitUntil: 'commit', timeout: deadlineMs }).then(() => {
      marks.committed = Date.now();
      return null;
    }, (e: unknown) => partial('ERROR', `Loading ${url} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`));
    const early = await Promise.race([loaded, stop]);
    if (early !== null) return early;
    return await Promise.race([channel.completed, stop]);
  } finally {
    clearTimeout(timer);
  }
}

function fillEvidence(evidence: Evidence, recorder: BackgroundServiceRecorder, served: readonly ServedRequest[]): void {
  evidence.fetches = recorder.fetches().map((t) => fetchEvidence(joinServed(t, served)));
  evidence.events = recorder.events().map(eventRow).sort((a, b) => a.at - b.at);
  evidence.server = served.map(servedView);
}

function finish(test: string, startedAt: number, outcome: Completion, channel: TestPageChannel, evidence: Evidence, served: readonly ServedRequest[]): Omit<WptAttempt, 'browserLost'> {
  // A completion that came after partial results supersedes them; a missing one keeps them.
  const subtests = outcome.subtests.length ? outcome.subtests : [...channel.partial];
  const missing = [...new Set(served.filter((s) => s.status === 501 && s.path.endsWith('.py')).map((s) => s.path))];
  const notes = missing.map(unimplementedHandlerText);
  evidence.notes.push(...notes, ...explainSubtests(subtests, channel.arrivedAt, evidence.fetches, startedAt));
  // Each subtest a row, at the time its result came (testdriver calls between them).
  const end = Date.now();
  evidence.steps = [
    ...channel.steps,
    ...subtests.map((s) => ({ at: channel.arrivedAt.get(s.name) ?? end, what: `subtest: ${s.name}`, result: { status: s.status, message: s.message } })),
  ].sort((a, b) => a.at - b.at);
  const message = [outcome.message, ...notes].filter((m): m is string => !!m).join(' ') || null;
  return { test, status: outcome.status, message, startedAt, durationMs: Date.now() - startedAt, subtests, evidence };
}

/** A file's runs as its result: the last one's, flaky when a re-run after a lost browser gave it. */
export function combineTries(tries: readonly WptAttempt[]): WptTestResult {
  const last = tries[tries.length - 1];
  // A re-run that lost its browser again is a CRASH as without retries, not a flaky result.
  return { ...last, flaky: tries.length > 1 && !last.browserLost, attempts: tries.length > 1 ? [...tries] : [] };
}
