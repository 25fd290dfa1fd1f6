/**
 * A lane's browsers as the run modes hold them: one local browser that scenarios share
 * (BrowserSlot: relaunched after a crash), or a Selenium Grid's sessions, one scenario each
 * (GridSlot). openLane() picks the slot and says how many scenarios the lane runs at once: the
 * run's --workers, or on a Grid the Grid's matching slots capped by --workers.
 */
import { BrowserSlot, type BrowserCrash } from './slot.js';
import { GridSlot } from './grid/slot.js';
import { gridType, planGrid } from './grid/type.js';
import type { BrowserSpec, BrowserUnderTest, EngineDriver } from './types.js';

export interface LaneSlot {
  readonly spec: BrowserSpec;
  version: string | null;
  launches: number;
  readonly crashes: BrowserCrash[];
  launchError: Error | null;
  get(): Promise<BrowserUnderTest>;
  /** The scenario on `engine` is done with it (a Grid session is free again). */
  release?(engine: EngineDriver): void;
  /** Opens up to `n` browsers now, side by side (a Grid lane's sessions), before the scenarios ask. */
  prewarm?(n: number): void;
  markBroken(engine: EngineDriver): void;
  logMark(engine: EngineDriver): number;
  fatalSince(engine: EngineDriver, mark: number): string[];
  crash(engine: EngineDriver): BrowserCrash | undefined;
  close(): Promise<void>;
}

export interface OpenedLane {
  slot: LaneSlot;
  /** Scenarios in flight at once on this lane. */
  workers: number;
}

export async function openLane(spec: BrowserSpec, options: { headless: boolean; workers: number }): Promise<OpenedLane> {
  const workers = Math.max(1, options.workers);
  if (spec.kind !== 'grid') return { slot: new BrowserSlot(spec, options.headless), workers };
  const plan = await planGrid(spec);
  const capacity = Math.min(workers, plan.slots);
  const open = async (): Promise<BrowserUnderTest> => {
    const launched = await gridType.launch(spec, { headless: options.headless });
    const { driver } = launched;
    return {
      label: spec.label,
      kind: spec.kind,
      target: spec.target,
      args: spec.args,
      engine: driver,
      browser: driver.playwright,
      version: driver.info.version,
      executablePath: null,
      node: launched.node ?? null,
      ...(launched.onProfile ? { onProfile: launched.onProfile } : {}),
    };
  };
  return { slot: new GridSlot(spec, capacity, open), workers: capacity };
}
