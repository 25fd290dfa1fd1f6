import { UsageError } from '../../errors.js';
import { browserSpecs } from '../../browsers/spec.js';
import type { BrowserSpec } from '../../browsers/types.js';
import { parseShard } from '../../util/shard.js';
import { defineCommand, numberFlag, stringFlag, wholeAtLeastOne, wholeAtLeastZero } from '../command.js';
import { isLoopback } from '../../util/net.js';
import { browserColumnFlags, formatFlag, gridLane, stepSummaryFlag, withGridLane } from '../flags.js';
import { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_OUT, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS, type WptOptions } from '../options.js';

/** The flag that switches Background Fetch on in WebKitGTK (MiniBrowser --features). */
export const WEBKIT_BACKGROUND_FETCH = '--features=+BackgroundFetchAPI';

/**
 * `--browser all` for wpt: every installed engine, and WebKitGTK once more with Background Fetch
 * switched on (the lane where the API exists), unless a --browser already runs it so.
 */
export function withWebKitFeatureLane(specs: BrowserSpec[], all: boolean): BrowserSpec[] {
  const webkit = specs.find((s) => s.engine === 'webkit' && s.args.length === 0);
  if (!all || !webkit || specs.some((s) => s.engine === 'webkit' && s.args.includes(WEBKIT_BACKGROUND_FETCH))) return specs;
  const label = specs.some((s) => s.label === 'webkit+bgfetch') ? `${webkit.label}+bgfetch#2` : 'webkit+bgfetch';
  return [...specs, { ...webkit, label, args: [WEBKIT_BACKGROUND_FETCH] }];
}

export const wptCommand = defineCommand({
  name: 'wpt',
  usage: 'wpt [tests..]',
  describe:
    "Run upstream web-platform-tests (default background-fetch/) in full browsers (Chromium, Firefox, WebKitGTK): a wptreport.json per browser plus the bgprobe report with each fetch's timeline",
  positionals: {
    tests: {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'background-fetch/',
      describe: 'Paths or globs relative to --wpt-root',
    },
  },
  flags: {
    'wpt-root': stringFlag('A web-platform-tests checkout (a sparse one is enough: see the README)'),
    browser: {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'the local Chromium',
      describe:
        'chromium, firefox, webkit, all (every installed engine, plus WebKitGTK with --features=+BackgroundFetchAPI) or a browser binary path. Repeatable: a report column and a wptreport.json each',
    },
    ...browserColumnFlags(),
    out: stringFlag('Output directory: wptreport.json and the report (a new one, or one holding only a previous report)', {
      default: DEFAULT_WPT_OUT,
    }),
    format: formatFlag('Report formats: html,json,md,junit (default all; wptreport.json is always written)'),
    workers: numberFlag('workers', 'Test files run in parallel (each in its own browser on a fresh profile); default: 2 per CPU core', {
      default: DEFAULT_WPT_WORKERS,
      check: wholeAtLeastOne('workers'),
    }),
    'timeout-multiplier': numberFlag(
      'timeout-multiplier',
      "testharness.js' timeout multiplier (a full Chromium's background fetches need ~5)",
      {
        default: DEFAULT_TIMEOUT_MULTIPLIER,
        check: (n, text) => {
          if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout-multiplier must be a positive number, got "${text}".`);
        },
      },
    ),
    retries: numberFlag(
      'retries',
      'Re-run a test file whose browser crashed or disconnected, on a fresh browser, up to this many times (0: off); such results are marked flaky',
      { default: DEFAULT_WPT_RETRIES, check: wholeAtLeastZero('retries') },
    ),
    baseline: stringFlag(
      'A previous wptreport.json: exit 1 when a subtest that passed there does not pass now (its times also order and shard the files, unless --durations)',
    ),
    durations: stringFlag(
      "A previous wptreport.json or report.json: each file's time there orders the run (longest first) and splits --shard by time",
    ),
    metadata: stringFlag(
      'A folder of wptrunner expectation files (<test path>.ini, as wpt run --metadata): each status expected or not, exit 1 on an unexpected one; disabled tests are skipped',
    ),
    'update-metadata': stringFlag('Write (or update) expectation files in this folder from the run, as wpt update-expectations does'),
    shard: {
      type: 'string',
      coerce: (v: unknown) => parseShard(String(v)),
      describe: 'Run only shard i of n of the test files (e.g. 1/3)',
    },
    headed: { type: 'boolean', default: false, describe: 'Show browser windows' },
    grid: stringFlag(
      'A Selenium Grid on this machine (http://127.0.0.1:4444; default: $BGPROBE_GRID_URL): each test file in a fresh Chrome session of its own, as many at once as it has matching slots (capped by --workers). See docs/grid.md',
    ),
    'grid-capabilities': stringFlag(
      'W3C capabilities (a JSON object) for the Grid\'s sessions, merged over bgprobe\'s, e.g. \'{"platformName":"linux"}\'',
    ),
    'step-summary': stepSummaryFlag(),
  },
  examples: [
    ['$0 wpt --wpt-root ~/wpt', 'background-fetch/ in the local Chromium, output in bgprobe-wpt/'],
    [
      '$0 wpt "background-fetch/fetch*.js" --wpt-root ~/wpt --baseline old/wptreport.json',
      'two files, failing on a subtest that regressed',
    ],
    [
      '$0 wpt --wpt-root ~/wpt --metadata meta/ --update-metadata meta/',
      'held against wptrunner expectation files, then updated from the run',
    ],
    [
      '$0 wpt background-fetch/ --wpt-root ~/wpt --browser all',
      'Chromium, Firefox ESR, WebKitGTK and WebKitGTK with Background Fetch on: a column and a wptreport-<label>.json each',
    ],
  ],
  check(argv) {
    if (!argv['wpt-root'])
      throw new UsageError('--wpt-root <dir> is required: a web-platform-tests checkout (README: "bgprobe wpt" shows a sparse checkout).');
    if (!argv.out) throw new UsageError('--out needs a directory.');
    if (argv.metadata === '') throw new UsageError('--metadata needs a directory of expectation files.');
    if (argv['update-metadata'] === '') throw new UsageError('--update-metadata needs a directory to write expectation files in.');
  },
  toOptions: (argv): WptOptions => {
    const grid = gridLane(argv.grid, argv['grid-capabilities']);
    // The WPT server and its host names are on this machine's 127.0.0.1: only a node on this machine reaches them.
    if (grid?.target && !isLoopback(new URL(grid.target).hostname))
      throw new UsageError(
        `bgprobe wpt --grid needs a Grid on this machine (http://127.0.0.1:<port>), not ${grid.target}: the WPT server listens on 127.0.0.1 and Chrome maps the WPT host names there, which a node on another host does not reach (compat --grid --fixture-host serves other hosts).`,
      );
    const browsers = withGridLane(
      () => withWebKitFeatureLane(browserSpecs(argv.browser, argv['browser-args'], argv.label), argv.browser.includes('all')),
      argv.browser.length > 0,
      grid,
    );
    for (const browser of browsers) {
      if (browser.kind === 'endpoint' || browser.kind === 'channel') {
        throw new UsageError(
          `bgprobe wpt launches its browser on a fresh profile per test file: --browser must be chromium, firefox, webkit, all or a browser binary, not ${browser.kind === 'endpoint' ? 'an endpoint' : 'a channel name'} ("${browser.target ?? ''}").`,
        );
      }
    }
    return {
      tests: argv.tests,
      wptRoot: argv['wpt-root']!,
      browsers,
      out: argv.out,
      formats: argv.format,
      workers: argv.workers,
      timeoutMultiplier: argv['timeout-multiplier'],
      retries: argv.retries,
      baseline: argv.baseline ?? null,
      durations: argv.durations ?? null,
      metadata: argv.metadata ?? null,
      updateMetadata: argv['update-metadata'] ?? null,
      shard: argv.shard ?? null,
      headless: !argv.headed,
      stepSummary: argv['step-summary'],
    };
  },
  async run(options, ctx) {
    const { runWptCommand } = await import('./wpt.js');
    return runWptCommand(options, ctx);
  },
});
