/**
 * The `backgroundFetch` fixture's value: one test's recorder (with probes, and the fixture
 * server's log joined in so requests carry `served`), plus the CDP-only permission grant
 * Playwright cannot make (`context.grantPermissions(['background-fetch'])` throws "Unknown
 * permission": Playwright has no mapping for it).
 *
 * Also the registry that tells a matcher which fixture belongs to the running test: matchers
 * get only the received value, so `expect('episode-5').toSucceed()` finds its recorder by the
 * TestInfo Playwright hands both the fixture and `test.info()`. A WeakMap: nothing outlives its
 * test, and each worker process has its own, so `--workers` and `--shard` share no state.
 */
import { test as base } from '@playwright/test';
import type { Browser, BrowserContext, TestInfo } from '@playwright/test';
import { PlaywrightCdpSession } from '../cdp/session.js';
import { UsageError } from '../errors.js';
import type { BackgroundServiceRecorder, WaitForFetchOptions } from '../recorder/recorder.js';
import type { EventFilter } from '../recorder/recording.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import type { FixtureServer } from '../server/index.js';
import { bestEffort, debug } from '../util/debug.js';

const log = debug('bgprobe:playwright');

/** Filled by the worker-scoped `fixtureServer` fixture once a test in this worker asks for it. */
export interface ServerSlot {
  server: FixtureServer | null;
}

export class BackgroundFetchFixture {
  private browserContextId: Promise<string> | null = null;
  /**
   * Chromium drops a session's permission overrides when that session detaches, so the
   * session that granted stays open until the test ends (which then also undoes the grant).
   */
  private permissionSession: Promise<PlaywrightCdpSession> | null = null;

  constructor(
    /** The underlying recorder: `toDevToolsJson()`, `waitForEvent()`, `stream()`, `clear()`. */
    readonly recorder: BackgroundServiceRecorder,
    private readonly context: BrowserContext,
    private readonly browser: Browser,
    private readonly slot: ServerSlot,
  ) {}

  /**
   * The fetch's timeline once it reaches `until` (default 'completed'); on timeout a
   * TimeoutError whose message shows the timeline so far. Default timeout: `bgprobe.timeout`.
   */
  waitForFetch(id: string, options: WaitForFetchOptions = {}): Promise<FetchTimeline> {
    return this.recorder.waitForFetch(id, options);
  }

  /** Every background fetch recorded in this test, in the order first seen. */
  fetches(): FetchTimeline[] {
    return this.recorder.fetches();
  }

  /** The latest timeline of a developer id, or undefined when nothing was recorded for it yet. */
  fetch(id: string): FetchTimeline | undefined {
    return this.recorder.fetch(id);
  }

  /** Normalised BackgroundService events of every recorded service. */
  events(filter?: EventFilter): NormalisedEvent[] {
    return this.recorder.events(filter);
  }

  /**
   * Grant `background-fetch` to an origin of this test's context. Needed for fetches started by
   * a service worker or a subframe (they go through the permission controller and otherwise
   * start paused); a top-level page's fetch goes through the download limiter instead.
   * Default origin: the fixture server's when the test uses `fixtureServer`, else the origin
   * of the first page of the context that has navigated to http(s).
   */
  async grantPermission(origin?: string): Promise<void> {
    const target = origin ?? this.defaultOrigin();
    if (!target) {
      throw new UsageError('backgroundFetch.grantPermission(): no origin given and none to default to. Pass one, e.g. grantPermission(fixtureServer.url), or navigate a page first.');
    }
    const browserContextId = await this.contextId();
    this.permissionSession ??= this.browser.newBrowserCDPSession().then((s) => new PlaywrightCdpSession(s));
    const session = await this.permissionSession;
    // Without browserContextId the grant lands in the default context, not Playwright's.
    await session.send('Browser.setPermission', {
      permission: { name: 'background-fetch' },
      setting: 'granted',
      origin: new URL(target).origin,
      browserContextId,
    });
  }

  /** Stop recording and drop the permission grants (called by the fixture after the test). */
  async dispose(): Promise<void> {
    try {
      await this.recorder.dispose();
    } finally {
      // A session that failed to open already failed grantPermission(); nothing to undo then.
      await bestEffort(log, 'detach the permission session', async () => (await this.permissionSession)?.detach());
    }
  }

  /** The live timeline behind a snapshot taken in this test, or null when it is not ours. */
  refresh(t: FetchTimeline): FetchTimeline | null {
    return this.recorder.fetches().find((x) => x.key === t.key) ?? null;
  }

  /** Why there is no timeline for `id`: what a matcher prints instead of a timeline. */
  describeMissing(id: string): string {
    return this.recorder.describeMissing(id);
  }

  private defaultOrigin(): string | null {
    if (this.slot.server) return this.slot.server.url;
    for (const page of this.context.pages()) {
      if (page === this.recorder.observerPage) continue;
      const url = page.url();
      if (/^https?:/.test(url)) return new URL(url).origin;
    }
    return null;
  }

  private contextId(): Promise<string> {
    this.browserContextId ??= (async () => {
      const page = this.recorder.observerPage ?? this.context.pages()[0];
      if (!page) throw new UsageError('backgroundFetch.grantPermission(): the context has no page to ask for its browserContextId.');
      const session = new PlaywrightCdpSession(await this.context.newCDPSession(page));
      try {
        const { targetInfo } = await session.send('Target.getTargetInfo');
        if (!targetInfo.browserContextId) throw new UsageError('backgroundFetch.grantPermission(): the browser did not report a browserContextId for this context.');
        return targetInfo.browserContextId;
      } finally {
        await session.detach();
      }
    })();
    return this.browserContextId;
  }
}

const fixtures = new WeakMap<TestInfo, BackgroundFetchFixture>();

export function registerFixture(testInfo: TestInfo, fixture: BackgroundFetchFixture): void {
  fixtures.set(testInfo, fixture);
}

export function fixtureFor(testInfo: TestInfo): BackgroundFetchFixture | undefined {
  return fixtures.get(testInfo);
}

/** The running test's fixture; undefined outside a test or when it did not use backgroundFetch. */
export function currentFixture(): BackgroundFetchFixture | undefined {
  let info: TestInfo;
  try {
    info = base.info();
  } catch {
    return undefined;
  }
  return fixtures.get(info);
}
