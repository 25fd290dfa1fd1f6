// The one classification of a lost browser every command retries on (compat, wpt, audit).
import { describe, expect, it } from 'vitest';
import { classifyLoss, lostBrowser, retryLostBrowser } from '../../src/browsers/lost.js';
import { BrowserLostError, DeadlineError } from '../../src/errors.js';

describe('lostBrowser / classifyLoss', () => {
  it('only a BrowserLostError is a lost browser; its FATAL line goes with it', () => {
    expect(lostBrowser(new BrowserLostError('FATAL x.cc:1: y'))).toEqual({ fatal: 'FATAL x.cc:1: y' });
    expect(lostBrowser(new DeadlineError('timed out'))).toBeNull();
    expect(lostBrowser(new Error('Target closed'))).toBeNull();
  });

  it("an error while the browser is still connected stays the run's own", async () => {
    const e = new Error('locator.click: Timeout');
    expect(
      await classifyLoss(
        e,
        () => true,
        new Promise(() => undefined),
        () => null,
      ),
    ).toBe(e);
  });

  it('an error from a browser that is gone, or goes within the grace period, is a lost browser', async () => {
    const now = await classifyLoss(
      new Error('Target closed'),
      () => false,
      new Promise(() => undefined),
      () => 'FATAL a.cc:2: b',
    );
    expect(now).toBeInstanceOf(BrowserLostError);
    expect((now as BrowserLostError).fatal).toBe('FATAL a.cc:2: b');
    let connected = true;
    const gone = new Promise<void>((r) =>
      setTimeout(() => {
        connected = false;
        r();
      }, 50),
    );
    expect(
      await classifyLoss(
        new Error('Target closed'),
        () => connected,
        gone,
        () => null,
      ),
    ).toBeInstanceOf(BrowserLostError);
  });
});

describe('retryLostBrowser', () => {
  const lost = (a: { lost: boolean }) => (a.lost ? { fatal: null } : null);

  it('re-runs an attempt that lost its browser, up to `retries` times, and keeps every attempt', async () => {
    const seen: number[] = [];
    const outcomes = [true, false];
    const tries = await retryLostBrowser(1, (retry) => (seen.push(retry), Promise.resolve({ lost: outcomes[retry] })), lost);
    expect(seen).toEqual([0, 1]);
    expect(tries).toEqual([{ lost: true }, { lost: false }]);
  });

  it('stops after `retries` losses; 0 turns retries off; an attempt that kept its browser is not re-run', async () => {
    expect(await retryLostBrowser(2, () => Promise.resolve({ lost: true }), lost)).toHaveLength(3);
    expect(await retryLostBrowser(0, () => Promise.resolve({ lost: true }), lost)).toHaveLength(1);
    expect(await retryLostBrowser(3, () => Promise.resolve({ lost: false }), lost)).toHaveLength(1);
  });

  it('an interrupted attempt (null) ends it with null', async () => {
    expect(await retryLostBrowser(1, () => Promise.resolve(null), lost)).toBeNull();
  });
});
