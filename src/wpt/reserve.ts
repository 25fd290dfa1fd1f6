/**
 * Browsers launched ahead for the test files still to come, each on a fresh profile of its own
 * (files never share one: registrations, caches and fetches persist in a profile). A file takes
 * one that is already up, so its clock holds neither Chromium's launch nor the first seconds of
 * a new browser, when background fetches wait longest for their first request (Chromium 156:
 * 3.4-7.4 s on a browser launched with the file, 2.0 s on one launched 6 s before).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { bestEffort, debug } from '../util/debug.js';

const log = debug('bgprobe:wpt');

export interface ReadyBrowser {
  browser: Browser;
  /** Its profile directory, removed by dispose() (unused by a Grid session, whose profile is on its node). */
  profile: string;
  /** The Selenium Grid node it runs on (its URI); absent for a browser of this machine. */
  node?: string | null;
  /** When its launch began (ms since the epoch) and how long it took. */
  launchedAt: number;
  launchMs: number;
}

/** What `start` gives launchFresh: the browser, and the Grid node it is on when it is a Grid session. */
export interface StartedBrowser {
  browser: Browser;
  node?: string | null;
}

/** A browser on a fresh profile: `start` launches it on the profile directory it is given. */
export async function launchFresh(start: (userDataDir: string) => Promise<StartedBrowser>): Promise<ReadyBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'bgprobe-wpt-profile-'));
  const launchedAt = Date.now();
  try {
    const { browser, node } = await start(profile);
    return { browser, profile, launchedAt, launchMs: Date.now() - launchedAt, ...(node ? { node } : {}) };
  } catch (e) {
    await bestEffort(log, 'remove the profile of a browser that did not start', () => rm(profile, { recursive: true, force: true }));
    throw e;
  }
}

/** Closes a browser (bounded by the caller) and removes its profile. */
export async function disposeReady(r: ReadyBrowser): Promise<void> {
  await bestEffort(log, 'close a browser launched ahead', () => r.browser.close());
  await bestEffort(log, 'remove the profile', () => rm(r.profile, { recursive: true, force: true }));
}

export class BrowserReserve {
  private readonly ready: Array<Promise<ReadyBrowser>> = [];
  private closed = false;

  constructor(
    /** Launches one fresh browser (launchFresh with the run's options). */
    private readonly launchOne: () => Promise<ReadyBrowser>,
    /** How many to keep launched ahead. */
    private readonly depth: number,
    /** How many files have not started yet: no more are launched ahead than will be taken. */
    private readonly waiting: () => number,
  ) {}

  /**
   * A fresh browser: one launched ahead when there is one (and still connected), otherwise one
   * launched now. Only then are more launched ahead: at the start, the first files' own launches
   * have the CPU to themselves.
   */
  async take(): Promise<ReadyBrowser> {
    let got: ReadyBrowser | null = null;
    while (!got && this.ready.length > 0) {
      const r = await this.ready.shift()!.catch(() => null);
      if (r?.browser.isConnected()) got = r;
      else if (r) await disposeReady(r);
    }
    got ??= await this.launchOne();
    this.fill();
    return got;
  }

  /** Keeps min(depth, files not started yet) browsers launched ahead. */
  private fill(): void {
    while (!this.closed && this.ready.length < Math.min(this.depth, this.waiting())) {
      const p = this.launchOne();
      // A launch that failed is found by take(), which then launches for itself.
      p.catch(() => undefined);
      this.ready.push(p);
    }
  }

  /** Closes what was launched ahead and not taken. */
  async close(): Promise<void> {
    this.closed = true;
    const left = this.ready.splice(0);
    await Promise.all(
      left.map(async (p) => {
        const r = await p.catch(() => null);
        if (r) await disposeReady(r);
      }),
    );
  }
}
