/**
 * Merge shard reports (`--shard i/n` runs) into one report: browsers and scenarios united in
 * first-seen order, results in scenario order. The same scenario x browser in two inputs is
 * an input error: the shards overlap, and picking one would hide a difference.
 */
import { InputFormatError } from '../errors.js';
import { diffReports } from './diff.js';
import {
  countVerdicts,
  sortResults,
  type Comparison,
  type ReportBrowser,
  type ReportModel,
  type ReportResult,
  type ReportScenario,
} from './model.js';
import { resultKey } from './view.js';

/** `suiteOrder`: the suite's scenario ids in order (the skip list last); ids it lacks go last. */
export function mergeReports(
  inputs: ReadonlyArray<{ model: ReportModel; source: string }>,
  suiteOrder: readonly string[] = [],
): ReportModel {
  if (inputs.length === 0) throw new InputFormatError('Nothing to merge: give at least one report.json.');
  const browsers = new Map<string, ReportBrowser>();
  const scenarios = new Map<string, ReportScenario>();
  const results = new Map<string, { r: ReportResult; source: string }>();
  for (const { model, source } of inputs) {
    for (const b of model.browsers) {
      const known = browsers.get(b.label);
      if (!known) {
        browsers.set(b.label, { ...b, ...(b.crashes ? { crashes: [...b.crashes] } : {}) });
        continue;
      }
      if (known.version === null) known.version = b.version;
      // Each shard launched the browser on its own: the merged run launched it this often.
      if (b.launches !== undefined) known.launches = (known.launches ?? 0) + b.launches;
      if (b.crashes?.length) known.crashes = [...(known.crashes ?? []), ...b.crashes].sort((x, y) => x.at - y.at);
    }
    for (const s of model.scenarios) if (!scenarios.has(s.id)) scenarios.set(s.id, s);
    for (const r of model.results) {
      const key = resultKey(r.scenarioId, r.browser);
      const seen = results.get(key);
      // Skip-list entries are written by every shard: identical, so keep one.
      if (seen && !(seen.r.verdict === 'skipped' && r.verdict === 'skipped')) {
        throw new InputFormatError(
          `${r.scenarioId} on ${r.browser} is in both ${seen.source} and ${source}: the shards overlap. Merge the reports of one sharded run.`,
        );
      }
      if (!seen) results.set(key, { r, source });
    }
  }
  const first = inputs[0].model;
  const starts = inputs.map((i) => i.model.run.startedAt);
  const ends = inputs.map((i) => i.model.run.startedAt + i.model.run.durationMs);
  // The suite's own order (shards interleave it); ids this bgprobe does not know go last.
  const suite = new Map(suiteOrder.map((id, i) => [id, i]));
  const seenOrder = [...scenarios.keys()];
  const pos = (id: string) => suite.get(id) ?? suite.size + seenOrder.indexOf(id);
  const scenarioList = [...scenarios.values()].sort((a, b) => pos(a.id) - pos(b.id));
  const browserList = [...browsers.values()];
  const merged = sortResults(
    [...results.values()].map((x) => x.r),
    scenarioList,
    browserList,
  );
  return {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    run: {
      ...sameCommand(inputs.map((i) => i.model)),
      startedAt: Math.min(...starts),
      durationMs: Math.max(...ends) - Math.min(...starts),
      interrupted: inputs.some((i) => i.model.run.interrupted),
      shard: null,
      mergedFrom: inputs.flatMap((i) => (i.model.run.mergedFrom.length ? i.model.run.mergedFrom : [i.model.run.shard])),
      selection: [...new Set(inputs.flatMap((i) => i.model.run.selection))],
      workers: first.run.workers,
      timeoutMs: first.run.timeoutMs,
    },
    browsers: browserList,
    scenarios: scenarioList,
    results: merged,
    summary: countVerdicts(merged),
    comparison: null,
  };
}

/**
 * The shards of a sharded run that a merged report does not hold (`['2/3']`), when every input
 * was a shard of the same `n`; empty otherwise (complete, or inputs that were not one sharded run).
 */
export function missingShards(model: ReportModel): string[] {
  const from = model.run.mergedFrom;
  if (from.length === 0 || from.some((s) => s === null)) return [];
  const totals = new Set(from.map((s) => s!.total));
  if (totals.size !== 1) return [];
  const total = [...totals][0];
  const have = new Set(from.map((s) => s!.index));
  return Array.from({ length: total }, (_, i) => i + 1)
    .filter((i) => !have.has(i))
    .map((i) => `${i}/${total}`);
}

/**
 * Compare a merged report with a baseline over what the run was asked to cover: its selection
 * (`selected`: the run's `--scenario` globs, see `run.selection`) and its browsers. Not over
 * the scenarios the inputs hold: a shard whose report never arrived (its job died) must show as
 * missing results, each one a regression, not shrink the comparison until it passes.
 */
export function compareMerged(
  base: ReportModel,
  merged: ReportModel,
  baselineName: string,
  selected: (scenarioId: string) => boolean,
): Comparison {
  const labels = new Set(merged.browsers.map((b) => b.label));
  const scoped = { ...base, results: base.results.filter((r) => selected(r.scenarioId) && labels.has(r.browser)) };
  return diffReports(scoped, merged, baselineName);
}

/** The inputs' command when they agree (a merge of wpt shards is a wpt report); none when they differ or do not say. */
function sameCommand(models: readonly ReportModel[]): Pick<ReportModel['run'], 'command'> {
  const commands = new Set(models.map((m) => m.run.command));
  const [only] = commands;
  return commands.size === 1 && only ? { command: only } : {};
}
