/**
 * runCompat: the behaviour suite as a library call (what `bgprobe compat` does, minus the
 * terminal): select, shard, run, build the report model, compare with a baseline, and write
 * the report directory when asked.
 */
import { runScenarios, type ProgressEvent } from '../scenarios/runner.js';
import { browserSpecs, type BrowserSpec } from '../scenarios/spec.js';
import { selectScenarios, shard as shardList } from '../scenarios/registry.js';
import { diffReports } from './diff.js';
import { buildReport, type ReportModel } from './model.js';
import { writeReport, type Format } from './write.js';

export interface CompatRunOptions {
  /** Default: the discovered local Chromium. */
  browsers?: BrowserSpec[];
  /** Globs over scenario ids; all when empty. */
  scenarios?: string[];
  workers?: number;
  /** Per-scenario deadline, ms. */
  timeout?: number;
  /** Re-runs of a scenario whose browser was lost. Default 1; 0 turns them off. */
  retries?: number;
  /** Runs of each scenario; differing verdicts are reported `unstable`. Default 1. */
  repeat?: number;
  shard?: { index: number; total: number } | null;
  headless?: boolean;
  /** A loaded baseline report and the name to show for it. */
  baseline?: { model: ReportModel; name: string } | null;
  /** Write the report directory here (atomically). */
  out?: string;
  formats?: Format[];
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface CompatRunResult {
  report: ReportModel;
  /** Files written, by format (empty without `out`). */
  files: Partial<Record<Format, string>>;
}

export async function runCompat(options: CompatRunOptions = {}): Promise<CompatRunResult> {
  const { scenarios, skipped } = selectScenarios(options.scenarios ?? []);
  const shard = options.shard ?? null;
  const mine = shard ? shardList(scenarios, shard.index, shard.total) : scenarios;
  // The skip list is reported by the first shard only, so merged shards list it once.
  const mySkips = shard && shard.index !== 1 ? [] : skipped;
  const workers = options.workers ?? 3;
  const timeout = options.timeout ?? 30_000;
  const run = await runScenarios({
    browsers: options.browsers ?? browserSpecs([], [], []),
    scenarios: mine,
    skipped: mySkips,
    workers,
    timeout,
    retries: options.retries ?? 1,
    repeat: options.repeat ?? 1,
    headless: options.headless ?? true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report = buildReport(run, { scenarios: mine, skipped: mySkips, shard, selection: options.scenarios ?? [], workers, timeoutMs: timeout, retries: options.retries ?? 1, repeat: options.repeat ?? 1 });
  if (options.baseline) {
    // Compare what this run covered: a subset run (--scenario, --shard) is not a removal.
    const ids = new Set(report.scenarios.map((s) => s.id));
    const labels = new Set(report.browsers.map((b) => b.label));
    const base = { ...options.baseline.model, results: options.baseline.model.results.filter((r) => ids.has(r.scenarioId) && labels.has(r.browser)) };
    report.comparison = diffReports(base, report, options.baseline.name);
  }
  const files = options.out ? writeReport(options.out, report, options.formats ?? ['html', 'json', 'md', 'junit']) : {};
  return { report, files };
}
