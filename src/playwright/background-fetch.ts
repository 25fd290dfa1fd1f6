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
import type { EventFilter, RecordingEvents } from '../recorder/recording.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import type { StepRow } from '../evidence/evidence.js';
import type { FixtureServer } from '../server/index.js';
import { bestEffort, debug } from '../util/debug.js';
import { listen } from '../util/events.js';
import { fetchSummary, type TestData } from './run-model.js';

const log = debug('bgprobe:playwright');

/** Filled by the worker-scoped `fixtureServer` fixture once a test in this worker asks for it. */
export interface ServerSlot {
  server: FixtureServer | null;
}

/** How long a completed fetch may take to settle (its worker event handled) before its step is written anyway. */
const SETTLE_STEP_WAIT_MS = 10_000;

export class BackgroundFetchFixture {
  /** When the test's recording began (ms epoch). */
  readonly startedAt = Date.now();
  private browserContextId: Promise<string> | null = null;
  /** waitForFetch and the matchers, in call order: the steps of the report's evidence. */
  private readonly stepRows: StepRow[] = [];
  /** Timelines (by key) that already have their outcome step. */
  private readonly summarised = new Set<string>();
  /** Set as the test ends: an outcome step still waiting for its fetch to settle is written by finish() instead. */
  private finished = false;
  private readonly offCompleted: () => void;
  private browserVersion: string | null = null;
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
  ) {
    // A completed fetch gets its outcome step once its worker event was handled (findings such as
    // no-listener need it), or after SETTLE_STEP_WAIT_MS; finish() writes the rest at test end.
    this.offCompleted = listen<RecordingEvents, 'event'>(recorder, 'event', (e) => {
      if (e.service === 'backgroundFetch' && e.kind === 'completed') void this.summariseWhenSettled(e.instanceId);
    });
    try {
      this.browserVersion = `${browser.browserType().name()} ${browser.version()}`;
    } catch {
      this.browserVersion = null;
    }
  }

  /**
   * The fetch's timeline once it reaches `until` (default 'completed'); on timeout a
   * TimeoutError whose message shows the timeline so far. Default timeout: `bgprobe.timeout`.
   * A step in Playwright's report and trace, named by what it waits for.
   */
  waitForFetch(id: string, options: WaitForFetchOptions = {}): Promise<FetchTimeline> {
    const until = options.until ?? 'completed';
    const what = `waitForFetch(${JSON.stringify(id)}, { until: '${until}' })`;
    return this.step(`backgroundFetch.${what}`, async () => {
      const at = Date.now();
      try {
        const t = await this.recorder.waitForFetch(id, options);
        this.stepRows.push({ at, what, result: { reached: until, outcome: t.outcome, ms: Date.now() - at } });
        return t;
      } catch (e) {
        this.stepRows.push({ at, what, result: { error: (e as Error).name, ms: Date.now() - at } });
        throw e;
      }
    });
  }

  /** Run `body` as a boxed Playwright step (errors point at the test's line); plainly outside a test. */
  step<T>(title: string, body: () => Promise<T>): Promise<T> {
    if (!insideTest()) return body();
    return base.step(title, body, { box: true });
  }

  /** A matcher's wait, for the report's evidence. */
  recordStep(row: StepRow): void {
    this.stepRows.push(row);
  }

  /** What the JSON attachment holds: everything recorded in this test so far. */
  data(): TestData {
    // fixtureOrigin right after version: decodeData finds it at the start of the text.
    return {
      version: 1,
      fixtureOrigin: this.slot.server?.url ?? null,
      timelines: this.fetches(),
      otherEvents: this.events().filter((e) => e.service !== 'backgroundFetch'),
      steps: [...this.stepRows],
      browserVersion: this.browserVersion,
    };
  }

  /** Outcome steps for every fetch that has none yet (still pending, or not settled): called as the test ends. */
  async finish(): Promise<void> {
    this.offCompleted();
    for (const t of this.fetches()) await this.summarise(t, t.outcome === 'pending' ? ' (at test end)' : '');
    this.finished = true;
  }

  private async summariseWhenSettled(id: string): Promise<void> {
    await bestEffort(log, `outcome step of "${id}"`, async () => {
      const t = await this.recorder
        .waitForFetch(id, { until: 'settled', timeout: SETTLE_STEP_WAIT_MS })
        .catch(() => this.recorder.fetch(id));
      if (t && !this.finished) await this.summarise(t, '');
    });
  }

  private async summarise(t: FetchTimeline, note: string): Promise<void> {
    // Only into this fixture's own test: a late settle must not land in the worker's next test.
    if (this.summarised.has(t.key) || !insideTest() || fixtures.get(base.info()) !== this) return;
    this.summarised.add(t.key);
    await base.step(`${fetchSummary(t)}${note}`, async () => {}, { box: true });
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
      throw new UsageError(
        'backgroundFetch.grantPermission(): no origin given and none to default to. Pass one, e.g. grantPermission(fixtureServer.url), or navigate a page first.',
      );
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
    this.offCompleted();
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
        if (!targetInfo.browserContextId)
          throw new UsageError('backgroundFetch.grantPermission(): the browser did not report a browserContextId for this context.');
        return targetInfo.browserContextId;
      } finally {
        await session.detach();
      }
    })();
    return this.browserContextId;
  }
}

/** Is a test (or its hooks and fixtures) running in this worker, so that a step has a place to go? */
function insideTest(): boolean {
  try {
    base.info();
    return true;
  } catch {
    return false;
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
