/**
 * The other matcher checks against timelines built from raw CDP events and probe records:
 * outcomes, updateUI, requests, event sequences; and the browser checks of the fixture.
 */
import { describe, expect, it } from 'vitest';
import { headlessShellMessage, nonChromiumReason } from '../../src/playwright/browser-check.js';
import {
  checkAborted,
  checkFailed,
  checkRequested,
  checkSucceeded,
  checkUpdateUI,
  LATE_RECORD_GRACE_MS,
} from '../../src/playwright/checks.js';
import { checkSequence, timelineSequence, validateSequence } from '../../src/playwright/sequence.js';
import type { SwEventRecord, UiUpdateRecord } from '../../src/probes/types.js';
import { Recording } from '../../src/recorder/recording.js';
import type { FetchTimeline } from '../../src/recorder/timeline.js';
import { fetchEvent, successSequence } from '../helpers/fake-cdp.js';

const ORIGIN = 'http://127.0.0.1:8080';

function completedWith(id: string, metadata: Array<[string, string]>): FetchTimeline {
  const r = new Recording();
  const events = successSequence(id);
  for (const e of events.slice(0, -1)) r.ingest(e);
  r.ingest(fetchEvent('Background Fetch completed', id, metadata));
  return r.fetch(id)!;
}

function successWithWorker(ui: Array<Partial<UiUpdateRecord>>, sw: SwEventRecord['type'] = 'backgroundfetchsuccess'): FetchTimeline {
  const r = new Recording();
  for (const e of successSequence('ep')) r.ingest(e);
  const done = r.fetch('ep')!.completedAt!;
  const base = { id: 'ep', origin: ORIGIN, context: 'worker' as const };
  r.ingestProbe({
    ...base,
    kind: 'sw-event',
    at: done + 5,
    type: sw,
    result: 'success',
    failureReason: '',
    downloaded: 1020,
    downloadTotal: 0,
    uploaded: 0,
    uploadTotal: 0,
    recordsAvailable: true,
  });
  ui.forEach((u, i) =>
    r.ingestProbe({ ...base, kind: 'ui-update', at: done + 10 + i, call: i + 1, title: null, icons: null, ok: true, error: null, ...u }),
  );
  return r.fetch('ep')!;
}

describe('outcome checks', () => {
  const success = completedWith('s', [['Event Type', 'BackgroundFetchSuccessEvent']]);
  const badStatus = completedWith('b', [
    ['Event Type', 'BackgroundFetchFailEvent'],
    ['Failure Reason', 'BAD_STATUS'],
  ]);
  const aborted = completedWith('a', [
    ['Event Type', 'BackgroundFetchAbortEvent'],
    ['Failure Reason', 'CANCELLED_BY_DEVELOPER'],
  ]);
  const pending = (() => {
    const r = new Recording();
    for (const e of successSequence('p').slice(0, 2)) r.ingest(e);
    return r.fetch('p')!;
  })();

  it('toSucceed: success only; final once settled', () => {
    expect(checkSucceeded(success)).toMatchObject({ pass: true, final: true, received: 'success' });
    expect(checkSucceeded(badStatus)).toMatchObject({ pass: false, final: true, received: 'failure (bad-status)' });
    expect(checkSucceeded(pending)).toMatchObject({ pass: false, final: false, received: 'pending' });
  });

  it('toFail: failures and aborts (the spec reports both as result "failure"), optionally by reason', () => {
    expect(checkFailed(badStatus).pass).toBe(true);
    expect(checkFailed(badStatus, 'bad-status')).toMatchObject({ pass: true, expected: 'failure (bad-status)' });
    expect(checkFailed(badStatus, 'fetch-error').pass).toBe(false);
    expect(checkFailed(aborted)).toMatchObject({ pass: true, received: 'failure (aborted)' });
    expect(checkFailed(aborted, 'aborted').pass).toBe(true);
    expect(checkFailed(success).pass).toBe(false);
    expect(checkFailed(pending).final).toBe(false);
  });

  it('toBeAborted: aborts only', () => {
    expect(checkAborted(aborted)).toMatchObject({ pass: true, received: 'aborted' });
    expect(checkAborted(badStatus).pass).toBe(false);
  });
});

describe('checkUpdateUI', () => {
  it('matches a resolved call by title string or RegExp, and icons by src suffix or RegExp', () => {
    const t = successWithWorker([{ title: 'Downloaded: Episode 5', icons: [{ src: 'http://127.0.0.1:8080/art/ep5.svg' }] }]);
    const now = t.completedAt! + 1;
    expect(checkUpdateUI(t, {}, now).pass).toBe(true);
    expect(checkUpdateUI(t, { title: 'Downloaded: Episode 5' }, now).pass).toBe(true);
    expect(checkUpdateUI(t, { title: 'Downloaded' }, now).pass).toBe(false);
    expect(checkUpdateUI(t, { title: /^Downloaded/ }, now).pass).toBe(true);
    expect(checkUpdateUI(t, { icons: 'art/ep5.svg' }, now).pass).toBe(true);
    expect(checkUpdateUI(t, { icons: /ep6/ }, now).pass).toBe(false);
    expect(checkUpdateUI(t, { title: /Downloaded/, icons: /ep5/ }, now).expected).toBe(
      'a resolved updateUI() call with title /Downloaded/ and an icon /ep5/',
    );
  });

  it('does not count a rejected call, and shows it in Received', () => {
    const t = successWithWorker([
      { title: 'Done', ok: false, error: { name: 'InvalidStateError', message: 'updateUI may only be called once.' } },
    ]);
    const v = checkUpdateUI(t, { title: 'Done' }, t.completedAt! + 1);
    expect(v.pass).toBe(false);
    expect(v.received).toBe('updateUI #1 {"title":"Done","icons":[]} rejected InvalidStateError: updateUI may only be called once.');
  });

  it('says what the worker got when it never called updateUI, and is final only after the grace period', () => {
    const t = successWithWorker([]);
    expect(checkUpdateUI(t, {}, t.completedAt! + 1)).toMatchObject({
      pass: false,
      final: false,
      received: 'no updateUI() call (the worker got backgroundfetchsuccess)',
    });
    expect(checkUpdateUI(t, {}, t.completedAt! + LATE_RECORD_GRACE_MS).final).toBe(true);
  });

  it('is final as soon as the worker reports it finished handling the completion event', () => {
    const r = new Recording();
    for (const e of successSequence('ep')) r.ingest(e);
    const done = r.fetch('ep')!.completedAt!;
    const base = { id: 'ep', origin: ORIGIN, context: 'worker' as const };
    r.ingestProbe({
      ...base,
      kind: 'sw-event',
      at: done + 5,
      type: 'backgroundfetchsuccess',
      result: 'success',
      failureReason: '',
      downloaded: 1020,
      downloadTotal: 0,
      uploaded: 0,
      uploadTotal: 0,
      recordsAvailable: true,
    });
    expect(checkUpdateUI(r.fetch('ep')!, {}, done + 10).final).toBe(false);
    r.ingestProbe({ ...base, kind: 'sw-event-done', at: done + 20, type: 'backgroundfetchsuccess', ok: true, extensions: 1 });
    expect(checkUpdateUI(r.fetch('ep')!, {}, done + 21)).toMatchObject({ pass: false, final: true });
    expect(checkSequence(r.fetch('ep')!, ['completed', 'updateUI'], done + 21).final).toBe(true);
  });
});

describe('checkRequested', () => {
  const t = completedWith('r', [['Event Type', 'BackgroundFetchSuccessEvent']]);

  it('matches an absolute URL, a path, a path with query, or a RegExp, and the status when given', () => {
    expect(checkRequested(t, 'http://127.0.0.1:8080/a', undefined).pass).toBe(true);
    expect(checkRequested(t, '/b', 200).pass).toBe(true);
    expect(checkRequested(t, '/b', 404).pass).toBe(false);
    expect(checkRequested(t, /\/a$/g, 200).pass).toBe(true);
    expect(checkRequested(t, /\/a$/g, 200).pass).toBe(true); // a global RegExp's lastIndex is reset
    expect(checkRequested(t, '/c', undefined)).toMatchObject({
      pass: false,
      final: true,
      expected: 'a request to "/c"',
      received: '[0] http://127.0.0.1:8080/a -> 200, [1] http://127.0.0.1:8080/b -> 200',
    });
  });
});

describe('event sequences', () => {
  it('merges CDP events, worker events and updateUI calls in time order', () => {
    const t = successWithWorker([{ title: 'x' }]);
    expect(timelineSequence(t).map((i) => i.names[0])).toEqual([
      'registered',
      'started',
      'request-started',
      'request-started',
      'request-completed',
      'request-completed',
      'completed',
      'backgroundfetchsuccess',
      'updateUI',
    ]);
  });

  it('passes in order with gaps, by kind or by Chromium name; fails out of order and says where it stopped', () => {
    const t = successWithWorker([{ title: 'x' }]);
    const now = t.completedAt! + LATE_RECORD_GRACE_MS;
    expect(checkSequence(t, ['registered', 'started', 'request-started', 'request-completed', 'completed'], now).pass).toBe(true);
    expect(checkSequence(t, ['Background Fetch registered', 'completed', 'backgroundfetchsuccess', 'updateUI'], now).pass).toBe(true);
    expect(checkSequence(t, ['request-started', 'request-started', 'request-completed'], now).pass).toBe(true);
    const v = checkSequence(t, ['completed', 'started'], now);
    expect(v).toMatchObject({ pass: false, final: true });
    expect(v.received).toContain('; matched 1 of 2, no "started" after "completed"');
  });

  it('is final at completion for CDP names, later for worker names', () => {
    const t = successWithWorker([]);
    expect(checkSequence(t, ['completed', 'started'], t.completedAt!).final).toBe(true);
    expect(checkSequence(t, ['completed', 'updateUI'], t.completedAt! + 1).final).toBe(false);
  });

  it('rejects unknown names with the nearest known one', () => {
    expect(() => validateSequence(['registered', 'complete'])).toThrow('unknown event name "complete". Did you mean "completed"?');
    expect(() => validateSequence(['backgroundfetchsucess'])).toThrow('Did you mean "backgroundfetchsuccess"?');
    expect(() => validateSequence([])).toThrow('non-empty array');
    expect(() => validateSequence(['Background Fetch completed', 'updateUI'])).not.toThrow();
  });
});

describe('browser checks', () => {
  it('skips non-Chromium projects with a reason naming the project', () => {
    expect(nonChromiumReason('chromium', 'x')).toBeNull();
    expect(nonChromiumReason('webkit', 'Mobile Safari')).toContain(
      'project "Mobile Safari" runs webkit, which has no Background Fetch API',
    );
  });

  it('recognises chrome-headless-shell by product or path, and says how to fix the config', () => {
    expect(headlessShellMessage({ product: 'Chrome/150.0.7871.100', executablePath: '/usr/bin/chromium' }, 'chromium')).toBeNull();
    const byProduct = headlessShellMessage({ product: 'HeadlessChrome/150.0.7871.100', executablePath: null }, 'chromium');
    expect(byProduct).toContain('project "chromium" runs chrome-headless-shell (HeadlessChrome/150.0.7871.100)');
    expect(byProduct).toContain("channel: 'chromium'");
    expect(byProduct).toContain('launchOptions: { executablePath:');
    const path = '/root/.cache/ms-playwright/chromium_headless_shell-1200/chrome-linux/headless_shell';
    expect(headlessShellMessage({ product: null, executablePath: path }, '')).toContain(
      `this project runs chrome-headless-shell (${path})`,
    );
    expect(
      headlessShellMessage({ product: null, executablePath: '/opt/chrome-headless-shell-linux64/chrome-headless-shell' }, 'p'),
    ).not.toBeNull();
  });
});
