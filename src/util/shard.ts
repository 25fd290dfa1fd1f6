/**
 * `--shard i/n`, shared by compat and wpt: parsed once, then split by expected time, not by
 * count: greedy longest-processing-time (each item, the longest first, goes to the shard with
 * the least expected time so far), as test runners balance shards from a timing file. Every
 * shard computes the same split from the same inputs, so n machines each running their own
 * shard cover the whole suite exactly once. With equal weights it is the split by count.
 *
 * LPT's worst case is 4/3 of the best split's longest shard; with many items shorter than the
 * mean shard it lands within a few percent of even.
 */
import { UsageError } from '../errors.js';

export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard "${text}" is not valid: use i/n with 1 <= i <= n, e.g. --shard 1/3.`);
  }
  return { index, total };
}

/** `--shard i/n`: every n-th item from the (i-1)-th, over the selected list's order. */
export function shard<T>(items: readonly T[], index: number, total: number): T[] {
  return items.filter((_, k) => k % total === index - 1);
}

/**
 * The items of each of `total` shards (index 0 is shard 1/n), each in the order given: the
 * longest item first goes to the shard whose `cost` grows least by it (ties: the shard with
 * less weight so far, then the lower index). With `cost` = the shard's summed weight this is
 * LPT; with a shard's predicted wall time (its jobs scheduled on the run's workers) it
 * balances what a CI job waits for: the shard holding the one long item gets fewer short ones.
 */
export function balancedShards<T>(
  items: readonly T[],
  weight: (item: T) => number,
  total: number,
  cost?: (shard: readonly T[]) => number,
): T[][] {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shards: total must be a whole number of at least 1, got ${total}`);
  const sum = (xs: readonly T[]) => xs.reduce((a, x) => a + Math.max(0, weight(x)), 0);
  const costOf = cost ?? sum;
  const shards: T[][] = Array.from({ length: total }, () => []);
  const order = items.map((item, i) => ({ item, i, w: Math.max(0, weight(item)) })).sort((a, b) => b.w - a.w || a.i - b.i);
  const owner = new Map<number, number>();
  for (const { item, i } of order) {
    let best = 0;
    let bestCost = Infinity;
    let bestSum = Infinity;
    for (let s = 0; s < total; s++) {
      const c = costOf([...shards[s], item]);
      const w = sum(shards[s]);
      if (c < bestCost || (c === bestCost && w < bestSum)) [best, bestCost, bestSum] = [s, c, w];
    }
    shards[best].push(item);
    owner.set(i, best);
  }
  // Each shard in the order given (report order), whatever order they were dealt in.
  const out: T[][] = Array.from({ length: total }, () => []);
  items.forEach((item, i) => out[owner.get(i)!].push(item));
  return out;
}

/** LPT by summed weight: `balancedShards` with a shard's cost its total weight. */
export function lptShards<T>(items: readonly T[], weight: (item: T) => number, total: number): T[][] {
  return balancedShards(items, weight, total);
}

/** Shard `index` of `total` (1-based), split by expected time (and by `cost`, when given). */
export function shardByTime<T>(
  items: readonly T[],
  weight: (item: T) => number,
  index: number,
  total: number,
  cost?: (shard: readonly T[]) => number,
): T[] {
  if (!Number.isInteger(index) || index < 1 || index > total) throw new RangeError(`shards: index must be 1..${total}, got ${index}`);
  return balancedShards(items, weight, total, cost)[index - 1];
}

/** The largest shard's expected time over the mean (1 = even), the figure a split is judged by. */
export function imbalance(loads: readonly number[]): number {
  if (loads.length === 0) return 1;
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return mean === 0 ? 1 : Math.max(...loads) / mean;
}
