/**
 * What a failed test attaches to its Playwright report: every timeline the test recorded, as
 * text (readable in the HTML report, the trace viewer and the terminal) and as JSON (for
 * `bgprobe report` and for diffing). A failure must explain itself without a rerun.
 */
import type { TestInfo } from '@playwright/test';
import { formatTimeline } from '../recorder/format.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import type { BackgroundFetchFixture } from './background-fetch.js';

export const TEXT_ATTACHMENT = 'bgprobe-timelines.txt';
export const JSON_ATTACHMENT = 'bgprobe-timelines.json';

export interface TimelinesAttachment {
  /** Bumped when the shape changes. */
  version: 1;
  timelines: FetchTimeline[];
  /** Events of the other recorded services (sync, push, ...), which have no timeline. */
  otherEvents: NormalisedEvent[];
}

export function timelinesText(timelines: readonly FetchTimeline[], otherEvents: readonly NormalisedEvent[]): string {
  const parts = timelines.map((t) => formatTimeline(t, { maxLines: 200 }));
  if (parts.length === 0) parts.push('No background fetch was recorded in this test (no "Background Fetch registered" event).');
  if (otherEvents.length) {
    const t0 = otherEvents[0].at;
    parts.push(
      ['Other background service events:', ...otherEvents.map((e) => `  +${((e.at - t0) / 1000).toFixed(3)}s  ${e.service} ${e.name} [${e.instanceId}]`)].join('\n'),
    );
  }
  return parts.join('\n\n') + '\n';
}

export async function attachTimelines(testInfo: TestInfo, fixture: BackgroundFetchFixture): Promise<void> {
  const timelines = fixture.fetches();
  const otherEvents = fixture.events().filter((e) => e.service !== 'backgroundFetch');
  const json: TimelinesAttachment = { version: 1, timelines, otherEvents };
  await testInfo.attach(TEXT_ATTACHMENT, { body: timelinesText(timelines, otherEvents), contentType: 'text/plain' });
  await testInfo.attach(JSON_ATTACHMENT, { body: JSON.stringify(json, null, 2), contentType: 'application/json' });
}
