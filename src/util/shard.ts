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

/** The items of each of `total` shards (index 0 is shard 1/n), each in the order given. */
export function lptShards<T>(items: readonly T[], weight: (item: T) => number, total: number): T[][] {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shards: total must be a whole number of at least 1, got ${total}`);
  const load = Array.from({ length: total }, () => 0);
  const owner = new Map<number, number>();
  const order = items.map((item, i) => ({ i, w: Math.max(0, weight(item)) })).sort((a, b) => b.w - a.w || a.i - b.i);
  for (const { i, w } of order) {
    let best = 0;
    for (let s = 1; s < total; s++) if (load[s] < load[best]) best = s;
    load[best] += w;
    owner.set(i, best);
  }
  const shards: T[][] = Array.from({ length: total }, () => []);
  items.forEach((item, i) => shards[owner.get(i)!].push(item));
  return shards;
}

/** Shard `index` of `total` (1-based), split by expected time. */
export function shardByTime<T>(items: readonly T[], weight: (item: T) => number, index: number, total: number): T[] {
  if (!Number.isInteger(index) || index < 1 || index > total) throw new RangeError(`shards: index must be 1..${total}, got ${index}`);
  return lptShards(items, weight, total)[index - 1];
}

/** The largest shard's expected time over the mean (1 = even), the figure a split is judged by. */
export function imbalance(loads: readonly number[]): number {
  if (loads.length === 0) return 1;
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return mean === 0 ? 1 : Math.max(...loads) / mean;
}
