import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { settleWithin, waitWithin } from '../../src/util/deadline.js';

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

describe('waitWithin', () => {
  it('ends when the awaited thing happens, unsubscribing and clearing its timer', async () => {
    vi.useFakeTimers();
    const source = new EventEmitter();
    const p = waitWithin<number>(
      1000,
      () => new Error('late'),
      (resolve) => {
        const on = (n: number) => {
          if (n > 1) resolve(n);
        };
        source.on('n', on);
        return () => source.off('n', on);
      },
    );
    source.emit('n', 1);
    source.emit('n', 2);
    await expect(p).resolves.toBe(2);
    expect(source.listenerCount('n')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settles at once when the condition already holds, and still unsubscribes', async () => {
    vi.useFakeTimers();
    let subscribed = 0;
    const p = waitWithin<string>(
      1000,
      () => new Error('late'),
      (resolve) => {
        subscribed++;
        resolve('now');
        return () => subscribed--;
      },
    );
    await expect(p).resolves.toBe('now');
    expect(subscribed).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with the caller's error at the deadline, or with what the source reports first; never twice", async () => {
    vi.useFakeTimers();
    let fail: ((e: Error) => void) | undefined;
    const timedOut = waitWithin(
      200,
      () => new RangeError('no answer within 200 ms'),
      () => undefined,
    ).catch((e: unknown) => e);
    const failed = waitWithin(
      200,
      () => new RangeError('late'),
      (_resolve, reject) => {
        fail = reject;
      },
    ).catch((e: unknown) => e);
    fail!(new TypeError('the connection closed'));
    await vi.advanceTimersByTimeAsync(200);
    fail!(new TypeError('again'));
    expect(await timedOut).toBeInstanceOf(RangeError);
    expect(((await failed) as Error).message).toBe('the connection closed');
    expect(vi.getTimerCount()).toBe(0);
  });
});
