/**
 * Which `backgroundFetch` fixture belongs to the running test. Matchers get only the received
 * value, so `expect('episode-5').toSucceed()` finds its recorder here, keyed by the TestInfo
 * Playwright hands both the fixture and `test.info()`. A WeakMap: nothing outlives its test,
 * and each worker process has its own map, so `--workers` and `--shard` share no state.
 */
import { test as base } from '@playwright/test';
import type { TestInfo } from '@playwright/test';
import type { BackgroundFetchFixture } from './background-fetch.js';

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
