import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { browserSpecs, parseShard, type BrowserSpec } from '../../scenarios/spec.js';
import { bool, str, strList, type CommandSpec } from '../command.js';

export interface WptOptions {
  tests: string[];
  wptRoot: string;
  browser: BrowserSpec;
  out: string;
  formats: Format[];
  workers: number;
  timeoutMultiplier: number;
  baseline: string | null;
  shard: { index: number; total: number } | null;
  headed: boolean;
}

export const wptCommand: CommandSpec<WptOptions> = {
  name: 'wpt',
  usage: 'wpt [tests..]',
  describe: 'Run upstream web-platform-tests (default background-fetch/) in a full Chromium: wptreport.json plus the bgprobe report with each fetch\'s timeline',
  builder: (y: Argv) =>
    y
      .positional('tests', { type: 'string', array: true, describe: 'Paths or globs relative to --wpt-root (default background-fetch/)' })
      .option('wpt-root', { type: 'string', describe: 'A web-platform-tests checkout (a sparse one is enough: see the README)' })
      .option('browser', { type: 'string', describe: 'A Chrome/Chromium binary path. Default: the local Chromium' })
      .option('browser-args', { type: 'string', describe: 'More browser flags (space-separated in one value)' })
      .option('out', { type: 'string', default: 'bgprobe-wpt', describe: 'Output directory: wptreport.json and the report (a new one, or one holding only a previous report)' })
      .option('format', { type: 'string', array: true, describe: 'Report formats: html,json,md,junit (default all; wptreport.json is always written)' })
      .option('workers', { type: 'number', default: 2, describe: 'Test files run in parallel (each in its own browser on a fresh profile)' })
      .option('timeout-multiplier', { type: 'number', default: 5, describe: 'testharness timeout multiplier (a full Chromium\'s background fetches need ~5)' })
      .option('baseline', { type: 'string', describe: 'A previous wptreport.json: exit 1 when a subtest that passed there does not pass now' })
      .option('shard', { type: 'string', describe: 'Run only shard i of n of the test files (e.g. 1/3)' })
      .option('headed', { type: 'boolean', default: false, describe: 'Show browser windows' })
      .example('$0 wpt --wpt-root ~/wpt', 'background-fetch/ in the local Chromium, output in bgprobe-wpt/')
      .example('$0 wpt "background-fetch/fetch*.js" --wpt-root ~/wpt --baseline old/wptreport.json', 'two files, failing on a subtest that regressed'),
  toOptions(argv) {
    const wptRoot = str(argv, 'wpt-root');
    if (!wptRoot) throw new UsageError('--wpt-root <dir> is required: a web-platform-tests checkout (README: "bgprobe wpt" shows a sparse checkout).');
    const browsers = strList(argv, 'browser');
    if (browsers.length > 1) throw new UsageError('bgprobe wpt runs one browser: give --browser once (run it again for another browser).');
    const browser = browserSpecs(browsers, strList(argv, 'browser-args').slice(-1), [])[0]!;
    if (browser.kind === 'endpoint' || browser.kind === 'channel') {
      throw new UsageError(`bgprobe wpt launches its browser on a fresh profile per test file: --browser must be the path of a Chrome/Chromium binary, not ${browser.kind === 'endpoint' ? 'an endpoint' : 'a channel name'} ("${browser.target ?? ''}").`);
    }
    const multiplier = Number(argv['timeout-multiplier'] ?? 5);
    if (!Number.isFinite(multiplier) || multiplier <= 0) throw new UsageError(`--timeout-multiplier must be a positive number, got "${String(argv['timeout-multiplier'])}".`);
    const workers = Number(argv['workers'] ?? 2);
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a whole number of at least 1, got "${String(argv['workers'])}".`);
    const out = str(argv, 'out') ?? 'bgprobe-wpt';
    if (!out) throw new UsageError('--out needs a directory.');
    const shard = str(argv, 'shard');
    return {
      tests: strList(argv, 'tests'),
      wptRoot,
      browser,
      out,
      formats: parseFormats(strList(argv, 'format')),
      workers,
      timeoutMultiplier: multiplier,
      baseline: str(argv, 'baseline') ?? null,
      shard: shard === undefined ? null : parseShard(shard),
      headed: bool(argv, 'headed'),
    };
  },
  async run(options, ctx) {
    const { runWptCommand } = await import('./wpt.js');
    return runWptCommand(options, ctx);
  },
};
