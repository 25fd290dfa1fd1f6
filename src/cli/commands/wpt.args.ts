import { UsageError } from '../../errors.js';
import { browserSpecs } from '../../browsers/spec.js';
import { parseShard } from '../../util/shard.js';
import { defineCommand, numberFlag, stringFlag, wholeAtLeastOne, wholeAtLeastZero } from '../command.js';
import { formatFlag, stepSummaryFlag } from '../flags.js';
import { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_OUT, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS, type WptOptions } from '../options.js';

export const wptCommand = defineCommand({
  name: 'wpt',
  usage: 'wpt [tests..]',
  describe: "Run upstream web-platform-tests (default background-fetch/) in a full Chromium: wptreport.json plus the bgprobe report with each fetch's timeline",
  positionals: {
    tests: { type: 'string', array: true, default: [] as string[], defaultDescription: 'background-fetch/', describe: 'Paths or globs relative to --wpt-root' },
  },
  flags: {
    'wpt-root': stringFlag('A web-platform-tests checkout (a sparse one is enough: see the README)'),
    browser: { type: 'string', array: true, default: [] as string[], defaultDescription: 'the local Chromium', describe: 'A Chrome/Chromium binary path' },
    'browser-args': stringFlag('More browser flags (space-separated in one value)'),
    out: stringFlag('Output directory: wptreport.json and the report (a new one, or one holding only a previous report)', { default: DEFAULT_WPT_OUT }),
    format: formatFlag('Report formats: html,json,md,junit (default all; wptreport.json is always written)'),
    workers: numberFlag('workers', 'Test files run in parallel (each in its own browser on a fresh profile); default: 2 per CPU core', { default: DEFAULT_WPT_WORKERS, check: wholeAtLeastOne('workers') }),
    'timeout-multiplier': numberFlag('timeout-multiplier', "testharness.js' timeout multiplier (a full Chromium's background fetches need ~5)", {
      default: DEFAULT_TIMEOUT_MULTIPLIER,
      check: (n, text) => {
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout-multiplier must be a positive number, got "${text}".`);
      },
    }),
    retries: numberFlag('retries', 'Re-run a test file whose browser crashed or disconnected, on a fresh browser, up to this many times (0: off); such results are marked flaky', { default: DEFAULT_WPT_RETRIES, check: wholeAtLeastZero('retries') }),
    baseline: stringFlag('A previous wptreport.json: exit 1 when a subtest that passed there does not pass now (its times also order and shard the files, unless --durations)'),
    durations: stringFlag("A previous wptreport.json or report.json: each file's time there orders the run (longest first) and splits --shard by time"),
    shard: { type: 'string', coerce: (v: unknown) => parseShard(String(v)), describe: 'Run only shard i of n of the test files (e.g. 1/3)' },
    headed: { type: 'boolean', default: false, describe: 'Show browser windows' },
    'step-summary': stepSummaryFlag(),
  },
  examples: [
    ['$0 wpt --wpt-root ~/wpt', 'background-fetch/ in the local Chromium, output in bgprobe-wpt/'],
    ['$0 wpt "background-fetch/fetch*.js" --wpt-root ~/wpt --baseline old/wptreport.json', 'two files, failing on a subtest that regressed'],
  ],
  check(argv) {
    if (!argv['wpt-root']) throw new UsageError('--wpt-root <dir> is required: a web-platform-tests checkout (README: "bgprobe wpt" shows a sparse checkout).');
    if (argv.browser.length > 1) throw new UsageError('bgprobe wpt runs one browser: give --browser once (run it again for another browser).');
    if (!argv.out) throw new UsageError('--out needs a directory.');
  },
  toOptions: (argv): WptOptions => {
    const browser = browserSpecs(argv.browser, argv['browser-args'] === undefined ? [] : [argv['browser-args']], [])[0];
    if (browser.kind === 'endpoint' || browser.kind === 'channel') {
      throw new UsageError(`bgprobe wpt launches its browser on a fresh profile per test file: --browser must be the path of a Chrome/Chromium binary, not ${browser.kind === 'endpoint' ? 'an endpoint' : 'a channel name'} ("${browser.target ?? ''}").`);
    }
    return {
      tests: argv.tests,
      wptRoot: argv['wpt-root']!,
      browser,
      out: argv.out,
      formats: argv.format,
      workers: argv.workers,
      timeoutMultiplier: argv['timeout-multiplier'],
      retries: argv.retries,
      baseline: argv.baseline ?? null,
      durations: argv.durations ?? null,
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
