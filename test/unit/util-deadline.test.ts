import { afterEach, describe, expect, it, vi } from 'vitest';
import { settleWithin } from '../../src/util/deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('settleWithin', () => {
  it('settles with the promise when it comes first, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await expect(settleWithin(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(settleWithin(Promise.reject(new TypeError('own')), 1000, () => new Error('late'))).rejects.toThrow(TypeError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with the caller's error once the time has passed", async () => {
    vi.useFakeTimers();
    const never = new Promise<number>(() => undefined);
    const p = settleWithin(never, 500, () => new RangeError('took too long'));
    const seen = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(499);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const e = await seen;
    expect(e).toBeInstanceOf(RangeError);
    expect((e as Error).message).toBe('took too long');
  });
});
