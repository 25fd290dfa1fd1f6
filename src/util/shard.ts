/** `--shard i/n`, shared by compat and wpt: parsed once, applied to a selected list in its order. */
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
