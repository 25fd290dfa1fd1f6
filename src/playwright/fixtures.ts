/**
 * `test.extend` fixtures: `backgroundFetch` (a recorder with probes for the test's context),
 * `fixtureServer` (the programmable origin, one per worker), the `bgprobe` option, and an
 * auto fixture that attaches the recorded timelines when a test fails.
 *
 * Nothing here is shared between workers: each worker process has its own server, its own
 * registry and its own browser, so `--workers` and `--shard` need no coordination.
 */
import { test as base } from '@playwright/test';
import type { PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions, TestType } from '@playwright/test';
import { UnsupportedBrowserError } from '../errors.js';
import { BackgroundServiceRecorder } from '../recorder/recorder.js';
import type { ServiceSelection } from '../recorder/services.js';
import { FixtureServer } from '../server/index.js';
import { bestEffort, debug } from '../util/debug.js';
import { attachMode, attachTimelines, keepsTimelines, reporterWantsData, type AttachMode } from './attach.js';
import { BackgroundFetchFixture, fixtureFor, registerFixture, type ServerSlot } from './background-fetch.js';
import { browserProduct, headlessShellMessage, nonChromiumReason } from './browser-check.js';

const log = debug('bgprobe:playwright');

/** `test.use({ bgprobe: { ... } })`. Unknown keys are a type error. */
export interface BgprobeOptions {
  /** Services to record: 'backgroundFetch' (default), 'backgroundSync', ..., or 'all'. */
  services?: ServiceSelection | readonly ServiceSelection[];
  /** Default deadline of `backgroundFetch.waitForFetch`, ms. Default 30 000. */
  timeout?: number;
  /** Page and service-worker probes (progress, worker events, updateUI). Default true. */
  probes?: boolean;
  /**
   * When to attach the recorded timelines (JSON, text and an HTML page), in Playwright's trace
   * modes: 'retain-on-failure' (default), 'on', 'on-first-retry', 'off'. Whatever the mode but
   * 'off', the JSON is attached to every test when bgprobe/reporter or the blob reporter runs.
   */
  attach?: AttachMode;
  /** The old spelling: `false` is `attach: 'off'`. Ignored when `attach` is given. */
  attachOnFailure?: boolean;
}

export interface BgprobeTestFixtures {
  /** The test's recorder: `waitForFetch`, `fetches`, `fetch`, `events`, `grantPermission`. */
  backgroundFetch: BackgroundFetchFixture;
  bgprobe: BgprobeOptions;
}

export interface BgprobeWorkerFixtures {
  /** The fixture origin on 127.0.0.1 (one per worker): fixture apps plus /res/ resources. */
  fixtureServer: FixtureServer;
}

interface InternalTestFixtures {
  _bgprobeChromiumOnly: void;
  _bgprobeAttachOnFailure: void;
}

interface InternalWorkerFixtures {
  _bgprobeServerSlot: ServerSlot;
}

export type BgprobeTest = TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & BgprobeTestFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & BgprobeWorkerFixtures
>;

const extended = base.extend<BgprobeTestFixtures & InternalTestFixtures, BgprobeWorkerFixtures & InternalWorkerFixtures>({
  bgprobe: [{}, { option: true }],

  _bgprobeServerSlot: [
    // Playwright reads a fixture's dependencies from its first parameter: it must be a pattern.
    async ({}, use) => {
      await use({ server: null });
    },
    { scope: 'worker', box: true },
  ],

  fixtureServer: [
    async ({ _bgprobeServerSlot }, use) => {
      const server = await FixtureServer.start();
      _bgprobeServerSlot.server = server;
      try {
        await use(server);
      } finally {
        _bgprobeServerSlot.server = null;
        await server.close();
      }
    },
    { scope: 'worker', title: 'bgprobe fixture server' },
  ],

  // Its own fixture, listed first in backgroundFetch's dependencies, because Playwright sets
  // dependencies up in that order: a WebKit or Firefox project is skipped before its browser
  // is launched (or found missing).
  _bgprobeChromiumOnly: [
    async ({ browserName }, use, testInfo) => {
      const skip = nonChromiumReason(browserName, testInfo.project.name);
      testInfo.skip(skip !== null, skip ?? '');
      await use();
    },
    { box: true },
  ],

  backgroundFetch: [
    async ({ _bgprobeChromiumOnly, browser, context, launchOptions, bgprobe, _bgprobeServerSlot }, use, testInfo) => {
      void _bgprobeChromiumOnly;
      const shell = headlessShellMessage(
        { product: await browserProduct(browser), executablePath: launchOptions.executablePath ?? null },
        testInfo.project.name,
      );
      if (shell) throw new UnsupportedBrowserError(shell);
      const recorder = await BackgroundServiceRecorder.attach(context, {
        ...(bgprobe.services !== undefined ? { services: bgprobe.services } : {}),
        ...(bgprobe.timeout !== undefined ? { timeout: bgprobe.timeout } : {}),
        probes: bgprobe.probes ?? true,
        // Read at call time: a test may ask for fixtureServer after backgroundFetch was set up.
        server: { requests: () => _bgprobeServerSlot.server?.requests() ?? [] },
      });
      const fixture = new BackgroundFetchFixture(recorder, context, browser, _bgprobeServerSlot);
      registerFixture(testInfo, fixture);
      try {
        await use(fixture);
      } finally {
        await bestEffort(log, 'outcome steps of the fetches', () => fixture.finish());
        // The recorder's data outlives dispose(): _bgprobeAttachOnFailure still reads it.
        await bestEffort(log, 'dispose backgroundFetch', () => fixture.dispose());
      }
    },
    { title: 'bgprobe backgroundFetch recorder' },
  ],

  _bgprobeAttachOnFailure: [
    async ({ bgprobe }, use, testInfo) => {
      // Checked before the test runs: a typo in the mode fails the test, not its teardown.
      const mode = attachMode(bgprobe);
      await use();
      const fixture = fixtureFor(testInfo);
      if (!fixture || mode === 'off') return;
      const timelines = keepsTimelines(mode, testInfo);
      if (!timelines && !reporterWantsData(testInfo.config)) return;
      await attachTimelines(testInfo, { data: fixture.data(), timelines, startedAt: fixture.startedAt });
    },
    { auto: true, box: true },
  ],
});

export const test: BgprobeTest = extended;
