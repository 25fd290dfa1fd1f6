// The browsers `bgprobe wpt` launches ahead: every one launched is either taken by a test file
// or closed (none left running), a dead one is never handed out, and none is launched for a
// file that will not come. Fake browsers: what is counted is the reserve's own bookkeeping.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BrowserReserve, type ReadyBrowser } from '../../src/wpt/reserve.js';

function fleet() {
  let n = 0;
  const launched: string[] = [];
  const closed: string[] = [];
  const dead = new Set<string>();
  const launch = async (): Promise<ReadyBrowser> => {
    const name = `b${++n}`;
    launched.push(name);
    const browser = { isConnected: () => !dead.has(name), close: async () => void closed.push(name), name } as unknown as Browser;
    return { browser, profile: `/nonexistent/bgprobe-test-profile-${name}`, launchedAt: Date.now(), launchMs: 1 };
  };
  const nameOf = (r: ReadyBrowser) => (r.browser as unknown as { name: string }).name;
  return { launch, launched, closed, dead, nameOf };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('BrowserReserve', () => {
  it('every browser launched is taken or closed; the first file launches its own, the next ones take those launched ahead', async () => {
    const f = fleet();
    let waiting = 5;
    const reserve = new BrowserReserve(f.launch, 2, () => waiting);
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) {
      waiting--;
      taken.push(f.nameOf(await reserve.take()));
      await settle();
    }
    expect(taken).toEqual(['b1', 'b2', 'b3']);
    await reserve.close();
    expect(new Set([...taken, ...f.closed])).toEqual(new Set(f.launched));
    expect(f.closed.filter((c) => taken.includes(c))).toEqual([]);
    expect(f.launched).toHaveLength(5);
  });

  it('a browser that died while waiting is closed and skipped; none is launched ahead for files that will not come', async () => {
    const f = fleet();
    let waiting = 1;
    const reserve = new BrowserReserve(f.launch, 3, () => waiting);
    expect(f.nameOf(await reserve.take())).toBe('b1');
    await settle();
    // One file to come: one launched ahead, not three.
    expect(f.launched).toEqual(['b1', 'b2']);
    f.dead.add('b2');
    waiting = 0;
    expect(f.nameOf(await reserve.take())).toBe('b3');
    expect(f.closed).toEqual(['b2']);
    await reserve.close();
    expect(f.launched).toEqual(['b1', 'b2', 'b3']);
  });
});
