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
import {
  generateCertificate,
  hostResolverRules,
  unimplementedHandlerText,
  WptHostProxy,
  WptServer,
  type WptCertificate,
} from '../server/wpt/index.js';
import { launchBrowser, launchPlaywright } from '../browsers/browser-type.js';
import { planGrid } from '../browsers/grid/type.js';
import type { BrowserSpec, EngineDriver } from '../browsers/types.js';
import { pollTestPage } from './engine-page.js';
import { runInfoOf, toWptReport, type Lane, type SkippedTest } from './wptreport.js';
import { unexpectedResults, updateMetadata, type Unexpected } from './expectations.js';
import { wptRevision } from './checkout.js';
import type { RunInfo } from './wptmanifest.js';
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
import { wptReportModel, type WptColumn } from './report.js';
import { regressions, type Regression } from './wptreport.js';
import { explainSubtests } from './explain.js';
import { TestPageChannel, type Completion } from './page.js';
import { BrowserReserve, disposeReady, launchFresh, type ReadyBrowser, type StartedBrowser } from './reserve.js';
import { describeTiming, fileTiming, type FileMarks } from './timing.js';
import { byExpected } from '../util/schedule.js';
import type { WptAttempt, WptRun, WptTestResult } from './types.js';

const log = debug('bgprobe:wpt');

interface RunEnv {
  root: string;
  certificate: WptCertificate;
  /** The browser this run drives. */
  spec: BrowserSpec;
  executablePath: string;
  args: string[];
  /** Firefox and WebKitGTK: the proxy giving them the WPT host names (Chromium maps them itself). */
  proxy: WptHostProxy | null;
  headless: boolean;
  multiplier: number;
  /** The shared server on 443, when it could listen. */
  port443: WptServer | null;
  signal: AbortSignal | undefined;
  version: string | null;
  /** What the engine calls itself (`Firefox ESR`), once a browser started. */
  product: string | null;
  /** How set_permission reaches the browser, once a page said. */
  permissions: string | null;
  /** Chromium: fresh browsers, launched ahead of the files that take them; null for other engines. */
  reserve: BrowserReserve | null;
  /** Starts this run's Chromium on a profile directory: the discovered binary as a path (or a Grid session), with the WPT flags, through its BrowserType. */
  startChromium: (userDataDir: string) => Promise<StartedBrowser>;
}

/** https on the default port for `https://{REMOTE_HOST}/`: without it Chromium leaves that fetch pending for over a minute. */
async function startPort443(
  env: Pick<RunEnv, 'root' | 'certificate' | 'multiplier'>,
): Promise<{ server: WptServer | null; why: string | null }> {
  try {
    return {
      server: await WptServer.start({
        root: env.root,
        certificate: env.certificate,
        timeoutMultiplier: env.multiplier,
        http: [],
        https: [443],
      }),
      why: null,
    };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    return {
      server: null,
      why: `https on 127.0.0.1:443 is not answered (${code}; listening there needs root or CAP_NET_BIND_SERVICE): a subtest fetching https://{REMOTE_HOST}/ waits for Chromium's own connection timeout.`,
    };
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
    browsers: options.browsers?.length ? options.browsers : [options.browser ?? browserSpecs([], [], [])[0]],
    headless: options.headless ?? true,
    workers: options.workers ?? DEFAULT_WPT_WORKERS,
    durations,
    launchAhead: options.launchAhead ?? Math.ceil((options.workers ?? DEFAULT_WPT_WORKERS) / 2),
    timeoutMultiplier: options.timeoutMultiplier ?? DEFAULT_TIMEOUT_MULTIPLIER,
    retries: options.retries ?? DEFAULT_WPT_RETRIES,
    shard,
    baseline: options.baseline ?? null,
    metadata: options.metadata ?? null,
    updateMetadata: options.updateMetadata ?? null,
    out: options.out ?? null,
    formats: options.formats ?? [...DEFAULT_FORMATS],
    signal: options.signal ?? null,
    onResult: options.onResult ?? null,
  };
}

export interface WptResult {
  /** The first browser's run (the only one with one browser). */
  run: WptRun;
  /** Every browser's run, in the order of `browsers`. */
  runs: WptRun[];
  /** The runs mapped onto the report format (report.ts), a column per browser, with the baseline's regressions as its comparison. */
  report: ReportModel;
  /** Subtests PASS in the baseline and not PASS now (empty without a baseline), with the browser they ran in. */
  regressions: Array<Regression & { browser: string }>;
  /** Statuses the metadata did not expect, with the browser they ran in (empty without metadata). */
  unexpected: Array<Unexpected & { browser: string }>;
  /** Tests the metadata disables, per browser label: not run. */
  skipped: Record<string, SkippedTest[]>;
  /** Expectation files written and removed by `updateMetadata`; null without it. */
  metadataUpdate: { written: string[]; removed: string[] } | null;
  /** Files written (wptreport.json(s) and the report's formats), by name; empty without `out`. */
  files: Partial<Record<string, string>>;
}

/** wptrunner's product and channel for a browser: wpt.fyi's names; a WebKit feature flag or Chromium's experimental features make it `experimental`. */
export function laneOf(spec: BrowserSpec): Lane {
  const engine = spec.engine ?? 'chromium';
  if (engine === 'firefox') return { product: 'firefox', channel: /esr/i.test(spec.target ?? '') ? 'esr' : 'stable' };
  if (engine === 'webkit')
    return { product: 'webkitgtk', channel: spec.args.some((a) => /^--features=.*\+/.test(a)) ? 'experimental' : 'stable' };
  return {
    product: 'chromium',
    channel: spec.args.some((a) => a === '--enable-experimental-web-platform-features') ? 'experimental' : 'stable',
  };
}

/** The wptreport file of a browser: `wptreport.json` for a run of one, `wptreport-<label>.json` for each of several. */
export function wptReportName(label: string, several: boolean): string {
  return several
    ? `wptreport-${label
        .replace(/[^A-Za-z0-9._+-]+/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^-+|-+$/g, '')}.json`
    : 'wptreport.json';
}

/** The selected upstream tests in each browser (a fresh one per test file), as wptreport.json per browser and one report model. */
export async function runWpt(options: WptRunOptions | WptConfig): Promise<WptResult> {
  const config = resolveWptConfig(options);
  const revision = wptRevision(config.root);
  const columns: Array<WptColumn & { runInfo: RunInfo }> = [];
  for (const spec of config.browsers) {
    if (config.signal?.aborted) break;
    const lane = laneOf(spec);
    // Disabled tests are left out before the browser starts (its version is not known yet).
    const before = runInfoOf(
      { browser: { version: null }, timeoutMultiplier: config.timeoutMultiplier },
      { lane, revision, headless: config.headless },
    );
    const skipped = config.metadata
      ? config.selected.flatMap((test) => {
          const why = config.metadata!.disabled(test, before);
          return why ? [{ test, reason: why }] : [];
        })
      : [];
    const run = await runTests(
      config,
      spec,
      config.selected.filter((t) => !skipped.some((x) => x.test === t)),
    );
    const runInfo = runInfoOf(run, { lane, revision, headless: config.headless });
    columns.push({
      run,
      runInfo,
      skipped,
      unexpected: config.metadata ? unexpectedResults(config.metadata, run.results, runInfo) : null,
      regressions: config.baseline ? regressions(config.baseline.baseline, run) : [],
    });
  }
  const found = columns.flatMap((c) => (c.regressions ?? []).map((g) => ({ ...g, browser: c.run.browser.label })));
  const report = wptReportModel(columns, config.baseline ? { name: config.baseline.name, regressions: found } : null);
  const several = columns.length > 1;
  const extra = Object.fromEntries(
    columns.map((c) => [
      wptReportName(c.run.browser.label, several),
      `${JSON.stringify(toWptReport(c.run, { runInfo: c.runInfo, metadata: config.metadata, skipped: c.skipped }), null, 2)}\n`,
    ]),
  );
  const files = config.out ? writeReport(config.out, report, config.formats, { extra }) : {};
  const interrupted = columns.some((c) => c.run.interrupted) || config.signal?.aborted === true;
  const metadataUpdate =
    config.updateMetadata && !interrupted
      ? updateMetadata(
          config.updateMetadata,
          columns.map((c) => ({ runInfo: c.runInfo, results: c.run.results })),
        )
      : null;
  return {
    run: columns[0]?.run ?? emptyRun(config),
    runs: columns.map((c) => c.run),
    report,
    regressions: found,
    unexpected: columns.flatMap((c) => (c.unexpected ?? []).map((u) => ({ ...u, browser: c.run.browser.label }))),
    skipped: Object.fromEntries(columns.map((c) => [c.run.browser.label, [...(c.skipped ?? [])]])),
    metadataUpdate,
    files,
  };
}

function emptyRun(config: WptConfig): WptRun {
  const spec = config.browsers[0];
  return {
    startedAt: Date.now(),
    durationMs: 0,
    interrupted: true,
    browser: { label: spec.label, executablePath: spec.target ?? '', version: null, args: spec.args },
    timeoutMultiplier: config.timeoutMultiplier,
    workers: config.workers,
    retries: config.retries,
    launches: 0,
    shard: config.shard,
    selection: config.tests,
    port443: null,
    results: [],
  };
}

/**
 * Chromium: the binary (discovered by default; on a Grid, the node's) with the WPT host names and
 * the server's certificate as flags. Others: the spec's binary, behind the host proxy.
 */
async function browserEnv(
  spec: BrowserSpec,
  certificate: WptCertificate,
): Promise<{ executablePath: string; args: string[]; proxy: WptHostProxy | null }> {
  if ((spec.engine ?? 'chromium') === 'chromium') {
    const args = [
      ...spec.args,
      `--host-resolver-rules=${hostResolverRules()}`,
      `--ignore-certificate-errors-spki-list=${certificate.spkiHash}`,
    ];
    // A Grid's Chrome is on its node: the report names the Grid where it names a local binary.
    if (spec.kind === 'grid') return { executablePath: spec.target ?? '', args, proxy: null };
    const { executablePath } = await discoverBrowser(spec.target ?? undefined);
    return { executablePath, args, proxy: null };
  }
  return { executablePath: spec.target ?? '', args: [...spec.args], proxy: await WptHostProxy.start() };
}

// long: the run of one browser, its shared servers and the worker pool, read best in one piece.
async function runTests(config: WptConfig, spec: BrowserSpec, tests: readonly string[]): Promise<WptRun> {
  const startedAt = Date.now();
  const multiplier = config.timeoutMultiplier;
  const certificate = await generateCertificate();
  const { executablePath, args, proxy } = await browserEnv(spec, certificate);
  const base = { root: config.root, certificate, multiplier };
  // On a Grid, as many files at once as it has matching slots (capped by --workers): each file's
  // session is a fresh profile on its node, and one more request would only wait in its queue.
  const grid = spec.kind === 'grid' ? await planGrid(spec) : null;
  const p443 = await startPort443(base);
  const workers = Math.max(1, Math.min(config.workers, tests.length, grid?.slots ?? Infinity));
  const queue: string[] = [];
  const startChromium = async (userDataDir: string): Promise<StartedBrowser> => {
    if (grid) {
      // A new session per file, with the WPT flags in its capabilities; closing the browser deletes the session.
      const { browser, driver, node } = await launchPlaywright({ ...spec, args }, { headless: config.headless });
      browser.close = () => driver.close();
      return { browser, node };
    }
    // The discovered binary as a path, with the WPT flags: started by its BrowserType like every other browser.
    return {
      browser: (await launchPlaywright({ ...spec, kind: 'path', target: executablePath, args }, { headless: config.headless, userDataDir }))
        .browser,
    };
  };
  // Launching ahead would hold Grid slots beyond the workers' (the requests queue): a Grid file opens its session itself.
  const reserve =
    (spec.engine ?? 'chromium') === 'chromium' && !grid
      ? new BrowserReserve(
          () => launchFresh(startChromium),
          config.launchAhead,
          () => queue.length,
        )
      : null;
  const env: RunEnv = {
    ...base,
    spec,
    executablePath,
    args,
    proxy,
    headless: config.headless,
    signal: config.signal ?? undefined,
    port443: p443.server,
    version: null,
    product: null,
    permissions: null,
    reserve,
    startChromium,
  };
  const results: WptTestResult[] = [];
  // Longest expected first (a previous run's times), so the file that sets the floor starts at once.
  const { durations } = config;
  queue.push(
    ...(durations
      ? byExpected(tests.map((t) => ({ key: t, lane: '', claims: [], expectedMs: expectedMs(durations, t, '', 0) }))).map((j) => j.key)
      : tests),
  );
  const { retries } = config;
  let launches = 0;
  const worker = async () => {
    for (let test = queue.shift(); test !== undefined && !config.signal?.aborted; test = queue.shift()) {
      const tries = await retryLostBrowser(
        retries,
        () => runTest(test, env),
        (a) => a.browserLost,
      );
      if (tries === null) break;
      launches += tries.length;
      const r = combineTries(tries);
      if (p443.why) r.evidence.notes.push(p443.why);
      results.push(r);
      config.onResult?.(r, results.length, tests.length, spec.label);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await reserve?.close();
    await p443.server?.close();
    await proxy?.close();
  }
  results.sort((a, b) => a.test.localeCompare(b.test));
  return {
    startedAt,
    durationMs: Date.now() - startedAt,
    interrupted: config.signal?.aborted === true,
    browser: {
      label: spec.label,
      executablePath,
      version: env.version,
      args: spec.args,
      engine: spec.engine ?? 'chromium',
      product: env.product ?? undefined,
      ...(grid ? { grid: grid.client.url } : {}),
      ...(env.permissions ? { permissions: env.permissions } : {}),
    },
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

function runTest(test: string, env: RunEnv): Promise<WptAttempt | null> {
  return (env.spec.engine ?? 'chromium') === 'chromium' ? runChromiumTest(test, env) : runEngineTest(test, env);
}

/**
 * A test file in Firefox or WebKitGTK: a fresh browser (and profile) of its own, behind the host
 * proxy, the harness results read by polling the page over the engine's protocol (BiDi or
 * classic WebDriver), set_permission through WebDriver's Permissions extension. No CDP: the
 * evidence is the server's request log.
 */
// long: launch, drive, collect and tear down in order, as runChromiumTest does for Chromium.
async function runEngineTest(test: string, env: RunEnv): Promise<WptAttempt | null> {
  const startedAt = Date.now();
  const channel = new TestPageChannel();
  const evidence = emptyEvidence();
  let outcome: Completion;
  let server: WptServer | null = null;
  let driver: EngineDriver | null = null;
  let gone = false;
  try {
    server = await WptServer.start({ root: env.root, certificate: env.certificate, timeoutMultiplier: env.multiplier });
    driver = (await launchBrowser(env.spec, { headless: env.headless, proxy: env.proxy?.address, acceptInsecureCerts: true })).driver;
    driver.onDisconnected(() => (gone = true));
    env.version ??= driver.info.version;
    env.product ??= driver.info.product;
    const page = await driver.newPage();
    const via = page.setPermission ? (page.permissionsVia ?? 'WebDriver') : null;
    env.permissions ??= via
      ? `set_permission: ${via}`
      : `set_permission: ${driver.info.product}'s driver has no WebDriver Permissions extension`;
    evidence.notes.push(
      `${driver.info.product} ${driver.info.version}: no CDP, so no BackgroundService recorder or probes; the evidence is the WPT server's request log. Results read by polling the page over ${driver.info.engine === 'firefox' ? 'WebDriver BiDi' : 'WebDriver'}; ${env.permissions}.`,
    );
    const url = server.url(test, /\.https\./.test(test) ? 'https' : 'http');
    evidence.fixtureOrigin = new URL(url).origin;
    outcome = await driveEnginePage(page, url, channel, deadlineFor(env, test), env.signal, () => gone);
  } catch (e) {
    outcome = {
      status: 'ERROR',
      message: `bgprobe could not run the test: ${e instanceof Error ? e.message : String(e)}`,
      subtests: [...channel.partial],
    };
  }
  const lost = driver !== null && !driver.isConnected() ? lostBrowser(new BrowserLostError(null)) : null;
  const served = [...(server?.requests() ?? []), ...(env.port443?.requests().filter((r) => r.startedAt >= startedAt) ?? [])].sort(
    (a, b) => a.startedAt - b.startedAt,
  );
  evidence.server = served.map(servedView);
  if (env.proxy?.refused.length)
    evidence.notes.push(`The host proxy refused (not a WPT host): ${[...new Set(env.proxy.refused)].slice(0, 5).join(', ')}.`);
  const d = driver;
  if (d) await bestEffort(log, 'close the browser', () => bounded(d.close(), 'closing the browser'));
  await server?.close();
  if (env.signal?.aborted) return null;
  return { ...finish(test, startedAt, outcome, channel, evidence, served), browserLost: lost };
}

/** Loads the test in an engine page and polls it until it completes, its deadline passes, its browser goes, or the run is interrupted. */
async function driveEnginePage(
  page: import('../browsers/types.js').EnginePage,
  url: string,
  channel: TestPageChannel,
  deadlineMs: number,
  signal: AbortSignal | undefined,
  gone: () => boolean,
): Promise<Completion> {
  let timer: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const partial = (status: Completion['status'], message: string): Completion => ({ status, message, subtests: [...channel.partial] });
  const stop = new Promise<Completion>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          partial(
            'TIMEOUT',
            `The test did not complete within ${deadlineMs} ms (its harness timeout times --timeout-multiplier, plus 10 s).`,
          ),
        ),
      deadlineMs,
    );
    watch = setInterval(() => gone() && resolve(partial('CRASH', 'The browser went away.')), 250);
    onAbort = () => resolve(partial('ERROR', 'Interrupted.'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const setPermission = page.setPermission?.bind(page);
  try {
    // WebDriver's navigation waits for the load event; results are polled from then on.
    const loaded = page.goto(url).then(
      () => null,
      (e: unknown) => partial('ERROR', `Loading ${url} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`),
    );
    const early = await Promise.race([loaded, stop]);
    if (early !== null) return early;
    return await pollTestPage(
      page,
      channel,
      {
        setPermission: setPermission
          ? (d, st, o) => setPermission(d, st as 'granted' | 'denied' | 'prompt', o)
          : { missing: 'the driver has no WebDriver Permissions extension' },
      },
      stop,
    );
  } finally {
    clearTimeout(timer);
    clearInterval(watch);
    // One listener per test file on the run's signal: removed, or a long run piles them up.
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

async function runChromiumTest(test: string, env: RunEnv): Promise<WptAttempt | null> {
  const startedAt = Date.now();
  const marks: FileMarks = {
    start: startedAt,
    server: null,
    browser: null,
    attached: null,
    committed: null,
    ended: null,
    closed: null,
    launchedAt: null,
    launchMs: null,
    deadline: false,
  };
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
    ready = await (env.reserve?.take() ?? launchFresh(env.startChromium));
    browser = ready.browser;
    marks.browser = Date.now();
    marks.launchedAt = ready.launchedAt;
    marks.launchMs = ready.launchMs;
    env.version ??= browser.version();
    env.product ??= 'Chromium';
    env.permissions ??= 'set_permission: CDP Browser.setPermission';
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
    outcome = {
      status: 'ERROR',
      message: `bgprobe could not run the test: ${e instanceof Error ? e.message : String(e)}`,
      subtests: [...channel.partial],
    };
  }
  marks.ended = Date.now();
  // Asked before bgprobe closes it: a browser that is gone now went by itself (a renderer crash
  // leaves it connected, and is the test's CRASH, not a lost browser).
  const lost = browser !== null && !browser.isConnected() ? lostBrowser(new BrowserLostError(null)) : null;
  const served = [...(server?.requests() ?? []), ...(env.port443?.requests().filter((r) => r.startedAt >= startedAt) ?? [])].sort(
    (a, b) => a.startedAt - b.startedAt,
  );
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
  return { ...result, timing, browserLost: lost, ...(used?.node ? { node: used.node } : {}) };
}

const TEARDOWN_MS = 15_000;

/** A teardown step that cannot hang the run (its failure is logged by bestEffort). */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  return settleWithin(p, TEARDOWN_MS, () => new TimeoutError(`${what} did not finish within ${TEARDOWN_MS} ms`));
}

/** Loads the test and waits for its completion, its deadline, a crash or an interrupt. */
async function drive(
  page: Page,
  url: string,
  channel: TestPageChannel,
  deadlineMs: number,
  signal: AbortSignal | undefined,
  marks: FileMarks,
): Promise<Completion> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const partial = (status: Completion['status'], message: string): Completion => ({ status, message, subtests: [...channel.partial] });
  const stop = new Promise<Completion>((resolve) => {
    timer = setTimeout(() => {
      marks.deadline = true;
      resolve(
        partial(
          'TIMEOUT',
          `The test did not complete within ${deadlineMs} ms (its harness timeout times --timeout-multiplier, plus 10 s).`,
        ),
      );
    }, deadlineMs);
    page.once('crash', () => resolve(partial('CRASH', 'The renderer crashed.')));
    page
      .context()
      .browser()
      ?.once('disconnected', () => resolve(partial('CRASH', 'The browser went away.')));
    onAbort = () => resolve(partial('ERROR', 'Interrupted.'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const loaded = page.goto(url, { waitUntil: 'commit', timeout: deadlineMs }).then(
      () => {
        marks.committed = Date.now();
        return null;
      },
      (e: unknown) => partial('ERROR', `Loading ${url} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`),
    );
    const early = await Promise.race([loaded, stop]);
    if (early !== null) return early;
    return await Promise.race([channel.completed, stop]);
  } finally {
    clearTimeout(timer);
    // One listener per test file on the run's signal: removed, or a long run piles them up.
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function fillEvidence(evidence: Evidence, recorder: BackgroundServiceRecorder, served: readonly ServedRequest[]): void {
  evidence.fetches = recorder.fetches().map((t) => fetchEvidence(joinServed(t, served)));
  evidence.events = recorder
    .events()
    .map(eventRow)
    .sort((a, b) => a.at - b.at);
  evidence.server = served.map(servedView);
}

function finish(
  test: string,
  startedAt: number,
  outcome: Completion,
  channel: TestPageChannel,
  evidence: Evidence,
  served: readonly ServedRequest[],
): Omit<WptAttempt, 'browserLost'> {
  // A completion that came after partial results supersedes them; a missing one keeps them.
  const subtests = outcome.subtests.length ? outcome.subtests : [...channel.partial];
  const missing = [...new Set(served.filter((s) => s.status === 501 && s.path.endsWith('.py')).map((s) => s.path))];
  const notes = missing.map(unimplementedHandlerText);
  evidence.notes.push(...notes, ...explainSubtests(subtests, channel.arrivedAt, evidence.fetches, startedAt));
  // Each subtest a row, at the time its result came (testdriver calls between them).
  const end = Date.now();
  evidence.steps = [
    ...channel.steps,
    ...subtests.map((s) => ({
      at: channel.arrivedAt.get(s.name) ?? end,
      what: `subtest: ${s.name}`,
      result: { status: s.status, message: s.message },
    })),
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
