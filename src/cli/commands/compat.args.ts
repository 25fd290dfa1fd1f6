import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { browserSpecs, parseShard, type BrowserSpec } from '../../scenarios/spec.js';
import { bool, str, strList, type CommandSpec } from '../command.js';

export const FAIL_ON = ['deviates', 'regressions', 'errors', 'flaky'] as const;
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
  /** Re-runs of a scenario whose browser was lost (0: none). */
  retries: number;
  /** Runs of each scenario; differing verdicts are reported `unstable`. */
  repeat: number;
}

function positiveInt(argv: Record<string, unknown>, key: string, fallback: number, min = 1): number {
  const v = argv[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${key} must be a whole number of at least ${min}, got "${String(v)}".`);
  return n;
}

export const compatCommand: CommandSpec<CompatOptions> = {
  name: 'compat',
  usage: 'compat',
  describe: 'Run the behaviour suite against one or more browsers and write HTML/JSON/Markdown/JUnit reports',
  builder: (y: Argv) =>
    y
      .option('browser', { type: 'string', array: true, describe: 'A browser binary path, a Playwright channel (chrome, msedge...) or a CDP endpoint (http://host:port). Repeatable. Default: the local Chromium' })
      .option('browser-args', { type: 'string', array: true, describe: 'Flags for the browser at the same position (space-separated in one value). Repeatable' })
      .option('label', { type: 'string', array: true, describe: 'A name for the browser at the same position (the report column). Repeatable' })
      .option('scenario', { type: 'string', array: true, describe: 'Only scenarios whose id matches this glob (e.g. "fetch.*"). Repeatable' })
      .option('out', { type: 'string', default: 'bgprobe-report', describe: 'Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)' })
      .option('format', { type: 'string', array: true, describe: 'Report formats: html,json,md,junit (default all)' })
      .option('workers', { type: 'number', default: 3, describe: 'Scenarios run in parallel (each in its own browser context)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds one scenario may take (lifecycle scenarios allow more)' })
      .option('baseline', { type: 'string', describe: 'A previous report.json to compare with' })
      .option('fail-on', { type: 'string', array: true, describe: 'What makes the exit code 1: deviates, regressions (needs --baseline), errors, flaky (a verdict needed a retry). Default: errors' })
      .option('retries', { type: 'number', default: 1, describe: 'Re-run a scenario whose browser crashed or disconnected, on a fresh browser, up to this many times (0: off); such results are marked flaky' })
      .option('repeat', { type: 'number', default: 1, describe: 'Run each scenario this many times (a fresh context each); results whose verdicts differ are reported unstable' })
      .option('shard', { type: 'string', describe: 'Run only shard i of n (e.g. 1/3); combine the reports with bgprobe merge' })
      .option('headed', { type: 'boolean', default: false, describe: 'Show browser windows' })
      .example('$0 compat', 'the whole suite on the local Chromium, reports in bgprobe-report/')
      .example('$0 compat --scenario "fetch.*" --format md,junit', 'only the fetch scenarios, Markdown and JUnit')
      .example('$0 compat --browser /usr/bin/chromium --browser /usr/bin/chromium --browser-args= --browser-args=--disable-blink-features=BackgroundFetch --label on --label off', 'one Chromium with and without the feature (flags as values need the = form)')
      .example('$0 compat --baseline old/report.json --fail-on regressions', 'fail when a verdict got worse')
      .example('$0 compat --repeat 5 --retries 0', 'each scenario five times: which verdicts are stable'),
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
      retries: positiveInt(argv, 'retries', 1, 0),
      repeat: positiveInt(argv, 'repeat', 1),
    };
  },
  async run(options, ctx) {
    const { runCompatCommand } = await import('./compat.js');
    return runCompatCommand(options, ctx);
  },
};
