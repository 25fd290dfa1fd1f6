// Small statistics helpers for the benchmark: the machines are noisy and shared, so every
// figure is a median (and p99 where a tail matters), never a single time.

export function quantile(values, q) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  // Nearest-rank: with few samples an interpolated p99 would invent a value never observed.
  const rank = Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1));
  return v[rank];
}

export const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

export const p99 = (values) => quantile(values, 0.99);

export function round(x, digits = 2) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Sleep without keeping the process alive for nothing. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const MIB = 1024 * 1024;
