import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { missingEngineNotes } from '../../engines/installed.js';
import { browserSpecs, parseShard, type BrowserSpec } from '../../scenarios/spec.js';
import { bool, str, strList, type CommandSpec } from '../command.js';

export const FAIL_ON = ['deviates', 'regressions', 'errors'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface CompatOptions {
  browsers: BrowserSpec[];
  scenarios: string[];
  out: string;
  formats: Format[];
  workers: number;
  /** ms */
  timeout: number;
  baseline: string | null;
  failOn: FailOn[];
  shard: { index: number; total: number } | null;
  headed: boolean;
  /** Lines for stderr before the run: engines `--browser all` left out, and how to install them. */
  notes?: string[];
}

function positiveInt(argv: Record<string, unknown>, key: string, fallback: number): number {
  const v = argv[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} must be a whole number of at least 1, got "${String(v)}".`);
  return n;
}

export const compatCommand: CommandSpec<CompatOptions> = {
  name: 'compat',
  usage: 'compat',
  describe: 'Run the behaviour suite against one or more browsers and write HTML/JSON/Markdown/JUnit reports',
  builder: (y: Argv) =>
    y
      .option('browser', { type: 'string', array: true, describe: 'chromium, firefox, webkit, all (every installed engine), a browser binary path, a Playwright channel (chrome, msedge...) or a CDP endpoint (http://host:port). Repeatable. Default: the local Chromium' })
      .option('browser-args', { type: 'string', array: true, describe: 'Flags for the browser at the same position (space-separated in one value). Repeatable' })
      .option('label', { type: 'string', array: true, describe: 'A name for the browser at the same position (the report column). Repeatable' })
      .option('scenario', { type: 'string', array: true, describe: 'Only scenarios whose id matches this glob (e.g. "fetch.*"). Repeatable' })
      .option('out', { type: 'string', default: 'bgprobe-report', describe: 'Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)' })
      .option('format', { type: 'string', array: true, describe: 'Report formats: html,json,md,junit,bcd (default html,json,md,junit; bcd: one mdn-bcd-collector file per browser)' })
      .option('workers', { type: 'number', default: 3, describe: 'Scenarios run in parallel (each in its own browser context)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds one scenario may take (lifecycle scenarios allow more)' })
      .option('baseline', { type: 'string', describe: 'A previous report.json to compare with' })
      .option('fail-on', { type: 'string', array: true, describe: 'What makes the exit code 1: deviates, regressions (needs --baseline), errors. Default: errors' })
      .option('shard', { type: 'string', describe: 'Run only shard i of n (e.g. 1/3); combine the reports with bgprobe merge' })
      .option('headed', { type: 'boolean', default: false, describe: 'Show browser windows' })
      .example('$0 compat', 'the whole suite on the local Chromium, reports in bgprobe-report/')
      .example('$0 compat --scenario "fetch.*" --format md,junit', 'only the fetch scenarios, Markdown and JUnit')
      .example('$0 compat --browser /usr/bin/chromium --browser /usr/bin/chromium --browser-args= --browser-args=--disable-blink-features=BackgroundFetch --label on --label off', 'one Chromium with and without the feature (flags as values need the = form)')
      .example('$0 compat --browser all --browser webkit --browser-args= --browser-args=--features=+BackgroundFetchAPI --label "" --label webkit+bgfetch', 'every installed engine, and WebKitGTK again with Background Fetch switched on')
      .example('$0 compat --baseline old/report.json --fail-on regressions', 'fail when a verdict got worse'),
  toOptions(argv) {
    const failOn = strList(argv, 'fail-on').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    for (const f of failOn) if (!(FAIL_ON as readonly string[]).includes(f)) throw new UsageError(`Unknown --fail-on "${f}". Valid: ${FAIL_ON.join(', ')}.`);
    const baseline = str(argv, 'baseline') ?? null;
    if (failOn.includes('regressions') && !baseline) throw new UsageError('--fail-on regressions needs --baseline <report.json> to compare with.');
    const timeoutS = Number(argv['timeout'] ?? 30);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got "${String(argv['timeout'])}".`);
    const out = str(argv, 'out') ?? 'bgprobe-report';
    if (!out) throw new UsageError('--out needs a directory.');
    const shard = str(argv, 'shard');
    return {
      browsers: browserSpecs(strList(argv, 'browser'), strList(argv, 'browser-args'), strList(argv, 'label')),
      scenarios: strList(argv, 'scenario').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      out,
      formats: parseFormats(strList(argv, 'format')),
      workers: positiveInt(argv, 'workers', 3),
      timeout: Math.round(timeoutS * 1000),
      baseline,
      failOn: failOn.length ? [...new Set(failOn)] as FailOn[] : ['errors'],
      shard: shard === undefined ? null : parseShard(shard),
      headed: bool(argv, 'headed'),
      notes: strList(argv, 'browser').includes('all') ? missingEngineNotes() : [],
    };
  },
  async run(options, ctx) {
    const { runCompatCommand } = await import('./compat.js');
    return runCompatCommand(options, ctx);
  },
};
