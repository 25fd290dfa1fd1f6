import { UsageError } from '../../errors.js';
import { missingEngineNotes } from '../../browsers/installed.js';
import { browserSpecs } from '../../browsers/spec.js';
import { parseShard } from '../../util/shard.js';
import { commaList, defineCommand, numberFlag, positiveSeconds, stringFlag, wholeAtLeastOne, wholeAtLeastZero } from '../command.js';
import { browserColumnFlags, formatFlag, gridLane, outDirFlag, stepSummaryFlag, withGridLane } from '../flags.js';
import {
  DEFAULT_FAIL_ON,
  DEFAULT_REPEAT,
  DEFAULT_RETRIES,
  DEFAULT_SCENARIO_TIMEOUT_MS,
  DEFAULT_WORKERS,
  FAIL_ON,
  type CompatOptions,
  type FailOn,
} from '../options.js';

export const compatCommand = defineCommand({
  name: 'compat',
  usage: 'compat',
  describe: 'Run the behaviour suite against one or more browsers and write HTML/JSON/Markdown/JUnit reports',
  flags: {
    browser: {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'the local Chromium',
      describe:
        'chromium, firefox, webkit, all (every installed engine), a browser binary path, a Playwright channel (chrome, msedge...) or a CDP endpoint (http://host:port). Repeatable',
    },
    ...browserColumnFlags(),
    scenario: {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'all',
      coerce: commaList,
      describe: 'Only scenarios whose id matches this glob (e.g. "fetch.*"). Repeatable',
    },
    out: outDirFlag(),
    format: formatFlag('Report formats: html,json,md,junit,bcd (default html,json,md,junit; bcd: one mdn-bcd-collector file per browser)'),
    workers: numberFlag(
      'workers',
      'Scenarios run at once, all browsers together (each in its own browser context); default: 3 per CPU core',
      { default: DEFAULT_WORKERS, check: wholeAtLeastOne('workers') },
    ),
    timeout: numberFlag('timeout', 'Seconds one scenario may take (lifecycle scenarios allow more)', {
      default: DEFAULT_SCENARIO_TIMEOUT_MS / 1000,
      check: positiveSeconds('timeout'),
    }),
    baseline: stringFlag('A previous report.json to compare with (its times also order and shard the run, unless --durations)'),
    durations: stringFlag("A previous report.json: each scenario's time there orders the run (longest first) and splits --shard by time"),
    'fail-on': {
      type: 'string',
      array: true,
      default: [...DEFAULT_FAIL_ON],
      coerce: commaList,
      choices: FAIL_ON,
      describe:
        'What makes the exit code 1: deviates, regressions (needs --baseline), errors, flaky (a verdict needed a retry). Default: errors',
    },
    retries: numberFlag(
      'retries',
      'Re-run a scenario whose browser crashed or disconnected, on a fresh browser, up to this many times (0: off); such results are marked flaky',
      { default: DEFAULT_RETRIES, check: wholeAtLeastZero('retries') },
    ),
    repeat: numberFlag(
      'repeat',
      'Run each scenario this many times (a fresh context each); results whose verdicts differ are reported unstable',
      { default: DEFAULT_REPEAT, check: wholeAtLeastOne('repeat') },
    ),
    shard: {
      type: 'string',
      coerce: (v: unknown) => parseShard(String(v)),
      describe: 'Run only shard i of n (e.g. 1/3), split by expected time (--durations); combine the reports with bgprobe merge',
    },
    headed: { type: 'boolean', default: false, describe: 'Show browser windows' },
    grid: stringFlag(
      'A Selenium Grid (http://host:4444; default: $BGPROBE_GRID_URL): a lane whose browsers are its Chrome sessions, as many at once as it has matching slots (capped by --workers). See docs/grid.md',
    ),
    'grid-capabilities': stringFlag(
      'W3C capabilities (a JSON object) for the Grid\'s sessions, merged over bgprobe\'s, e.g. \'{"platformName":"linux"}\'',
    ),
    'fixture-host': stringFlag(
      'Serve the fixture origin on this address, and use it in every URL, for browsers on another host (a Grid node); https with a certificate the browsers trust by its key. Default: 127.0.0.1, or for a Grid elsewhere the address that reaches it',
    ),
    'step-summary': stepSummaryFlag(),
  },
  examples: [
    ['$0 compat', 'the whole suite on the local Chromium, reports in bgprobe-report/'],
    ['$0 compat --scenario "fetch.*" --format md,junit', 'only the fetch scenarios, Markdown and JUnit'],
    [
      '$0 compat --browser /usr/bin/chromium --browser /usr/bin/chromium --browser-args= --browser-args=--disable-blink-features=BackgroundFetch --label on --label off',
      'one Chromium with and without the feature (flags as values need the = form)',
    ],
    [
      '$0 compat --browser all --browser webkit --browser-args= --browser-args=--features=+BackgroundFetchAPI --label= --label=webkit+bgfetch',
      'every installed engine, and WebKitGTK again with Background Fetch switched on',
    ],
    ['$0 compat --baseline old/report.json --fail-on regressions', 'fail when a verdict got worse'],
    ['$0 compat --repeat 5 --retries 0', 'each scenario five times: which verdicts are stable'],
  ],
  check(argv) {
    if (argv['fail-on'].includes('regressions') && !argv.baseline)
      throw new UsageError('--fail-on regressions needs --baseline <report.json> to compare with.');
    if (!argv.out) throw new UsageError('--out needs a directory.');
  },
  toOptions: (argv): CompatOptions => ({
    browsers: withGridLane(
      () => browserSpecs(argv.browser, argv['browser-args'], argv.label),
      argv.browser.length > 0,
      gridLane(argv.grid, argv['grid-capabilities']),
    ),
    scenarios: argv.scenario,
    out: argv.out,
    formats: argv.format,
    workers: argv.workers,
    timeout: Math.round(argv.timeout * 1000),
    baseline: argv.baseline ?? null,
    durations: argv.durations ?? null,
    failOn: argv['fail-on'].length ? ([...new Set(argv['fail-on'])] as FailOn[]) : [...DEFAULT_FAIL_ON],
    shard: argv.shard ?? null,
    headless: !argv.headed,
    stepSummary: argv['step-summary'],
    retries: argv.retries,
    repeat: argv.repeat,
    notes: argv.browser.includes('all') ? missingEngineNotes() : [],
    fixtureHost: argv['fixture-host'] ?? null,
  }),
  async run(options, ctx) {
    const { runCompatCommand } = await import('./compat.js');
    return runCompatCommand(options, ctx);
  },
});
