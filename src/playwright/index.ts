/**
 * bgprobe/playwright: Playwright Test fixtures and matchers for the Background Fetch API.
 *
 *   import { test, expect } from 'bgprobe/playwright';
 *   test('episode downloads', async ({ page, backgroundFetch, fixtureServer }) => {
 *     await page.goto(fixtureServer.url + '/podcast/');
 *     await page.click('text=Download episode 5');
 *     await expect(await backgroundFetch.waitForFetch('episode-5')).toSucceed();
 *   });
 */
import { expect as baseExpect } from '@playwright/test';
import { bgprobeMatchers } from './matchers.js';

export { test, type BgprobeOptions, type BgprobeTestFixtures, type BgprobeWorkerFixtures, type BgprobeTest } from './fixtures.js';
export { BackgroundFetchFixture, type ServerSlot } from './background-fetch.js';
export {
  bgprobeMatchers,
  type FetchReceived,
  type MatcherTimeoutOptions,
  type FailOptions,
  type RequestedOptions,
  type UpdateUIOptions,
  type NoFindingsOptions,
} from './matchers.js';
export type { TextPattern, UpdateUIExpectation } from './checks.js';
export { formatMatcherMessage, type MatcherMessage } from './message.js';
export { TEXT_ATTACHMENT, JSON_ATTACHMENT, HTML_ATTACHMENT, ATTACH_MODES, type AttachMode, type TimelinesAttachment } from './attach.js';
export type { TestData } from './run-model.js';
export type { BgprobeReporterOptions, ReporterFailOn } from './reporter.js';
export type { FetchTimeline, FetchRequest, FetchOutcome, FetchStage } from '../recorder/timeline.js';
export type { Finding, Severity } from '../findings/index.js';
export type { NormalisedEvent, FetchFailureReason } from '../recorder/normalise.js';
export type { WaitForFetchOptions } from '../recorder/recorder.js';
export type { FixtureServer, ServedRequest } from '../server/index.js';

/** Playwright's `expect` plus the bgprobe matchers. */
export const expect = baseExpect.extend(bgprobeMatchers);
