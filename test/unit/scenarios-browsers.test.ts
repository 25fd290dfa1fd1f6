// BrowserSlot's relaunch logic against fake browsers: when the slot is marked broken, and that
// the late 'disconnected' of a browser it already dropped does not cost the fresh one.
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

class FakeBrowser extends EventEmitter {
  connected = true;
  closes = 0;
  constructor(readonly n: number) {
    super();
  }
  isConnected(): boolean {
    return this.connected;
  }
  version(): string {
    return '150.0.0.0';
  }
  /** Slow, like a real close: the disconnect comes after the caller moved on. */
  async close(): Promise<void> {
    this.closes++;
    await new Promise((r) => setTimeout(r, 5));
    this.connected = false;
    this.emit('disconnected', this);
  }
}

const launched: FakeBrowser[] = [];
vi.mock('../../src/browsers/launch.js', () => ({
  launch: async () => {
    const b = new FakeBrowser(launched.length + 1);
    launched.push(b);
    return b;
  },
}));
vi.mock('../../src/browsers/discover.js', () => ({
  discoverBrowser: async () => ({ executablePath: '/usr/bin/chromium' }),
}));

const { BrowserSlot, fatalLinesIn, lastWordsIn } = await import('../../src/browsers/slot.js');
const spec = { label: 'chromium', kind: 'default' as const, target: null, args: [] };

const slots: Array<{ close(): Promise<void> }> = [];
beforeEach(() => {
  launched.length = 0;
});
// Each launch gets a log dir: closing the slot removes it.
afterEach(async () => {
  for (const s of slots.splice(0)) await s.close();
});

describe('BrowserSlot', () => {
  it('keeps one browser across scenarios', async () => {
    const slot = new BrowserSlot(spec, true);
    slots.push(slot);
    const a = await slot.get();
    const b = await slot.get();
    expect(a.browser).toBe(b.browser);
    expect(slot.launches).toBe(1);
  });

  it('relaunches after the live browser disconnects', async () => {
    const slot = new BrowserSlot(spec, true);
    slots.push(slot);
    await slot.get();
    launched[0].connected = false;
    launched[0].emit('disconnected');
    const next = await slot.get();
    expect(next.browser).toBe(launched[1]);
    expect(slot.launches).toBe(2);
  });

  it('the dropped browser disconnecting late does not mark the fresh one broken', async () => {
    const slot = new BrowserSlot(spec, true);
    slots.push(slot);
    await slot.get();
    // A hung teardown: relaunch for the next scenario. The old browser is still connected.
    slot.markBroken((await slot.get()).engine);
    const fresh = await slot.get();
    expect(fresh.browser).toBe(launched[1]);
    expect(launched[0].closes).toBe(1);
    // ... and it disconnects (again, late) while the fresh one serves other scenarios.
    launched[0].emit('disconnected');
    await new Promise((r) => setTimeout(r, 10));
    const again = await slot.get();
    expect(again.browser).toBe(launched[1]);
    expect(launched[1].closes).toBe(0);
    expect(slot.launches).toBe(2);
    await slot.close();
    expect(launched[1].closes).toBe(1);
  });

  it('a second hung teardown on the browser already replaced does not condemn the fresh one', async () => {
    const slot = new BrowserSlot(spec, true);
    slots.push(slot);
    const old = (await slot.get()).engine;
    slot.markBroken(old); // scenario A's teardown hung
    const fresh = await slot.get(); // scenario D gets a new browser
    slot.markBroken(old); // scenario B, also on the old browser, hangs in its teardown too
    expect((await slot.get()).browser).toBe(fresh.browser);
    expect(launched).toHaveLength(2);
    expect(launched[1].closes).toBe(0);
  });

  it('after a crash, scenarios asking side by side share one fresh browser, and it stays', async () => {
    const slot = new BrowserSlot(spec, true);
    slots.push(slot);
    await slot.get();
    // The browser dies; three scenarios ask for it at once (compat runs 3 side by side), some
    // before the 'disconnected' event reached the slot.
    launched[0].connected = false;
    const first = slot.get();
    launched[0].emit('disconnected');
    const all = await Promise.all([first, slot.get(), slot.get()]);
    expect(all.map((b) => b.browser)).toEqual([launched[1], launched[1], launched[1]]);
    // Later asks keep it: nobody closed the fresh browser on the strength of the dead one.
    expect((await slot.get()).browser).toBe(launched[1]);
    expect(launched).toHaveLength(2);
    expect(launched[1].closes).toBe(0);
    expect(slot.launches).toBe(2);
  });
});

describe('lastWordsIn', () => {
  it('finds the last FATAL line of a Chromium log (the one seen when Chromium 150 aborted mid-compat)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-lastwords-'));
    try {
      const log = join(dir, 'chromium.log');
      writeFileSync(
        log,
        [
          '[21772:21800:1201/134037.612856:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket',
          '[21772:21772:1201/134042.637629:FATAL:base/allocator/partition_alloc_support.cc:821] Detected dangling raw_ptr in unretained with id=0x00000d14023e04ac:',
          '',
          'Task trace:',
          '#0 0x5651a36057d6 <unknown>',
          '[1201/134042.665300:ERROR:third_party/crashpad/crashpad/util/file/file_io_posix.cc:145] open /sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq: No such file',
        ].join('\n'),
      );
      expect(lastWordsIn(log)).toBe(
        'FATAL base/allocator/partition_alloc_support.cc:821: Detected dangling raw_ptr in unretained with id=0x00000d14023e04ac:',
      );
      // What a scenario's window of the log holds: the lines after its mark, renderer FATALs too.
      const mark = readFileSync(log).length;
      appendFileSync(log, '\n[30001:1:1201/134050.000000:FATAL:third_party/blink/renderer/x.cc:7] Check failed: in a renderer.\n');
      expect(fatalLinesIn(log, mark)).toEqual(['FATAL third_party/blink/renderer/x.cc:7: Check failed: in a renderer.']);
      expect(fatalLinesIn(log)).toHaveLength(2);
      writeFileSync(log, '[1:1:0101/000000.000000:ERROR:x.cc:1] only errors\n');
      expect(lastWordsIn(log)).toBeNull();
      expect(lastWordsIn(join(dir, 'missing.log'))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
