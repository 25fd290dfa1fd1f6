/**
 * The rules, one small function each, in the order their findings are listed. Each reads only
 * what the probes and CDP recorded, and says nothing until its evidence is in: a rule about how
 * the worker handled an event waits for that event to be handled (`doneAt`).
 */
import { formatBytes } from '../util/bytes.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { IconInfo, SwEventRecord } from '../probes/types.js';
import type { Finding, FindingInput, Rule } from './types.js';

export const BACKGROUND_FETCH_EVENTS = [
  'backgroundfetchsuccess',
  'backgroundfetchfail',
  'backgroundfetchabort',
  'backgroundfetchclick',
] as const;

const handled = (e: SwEventRecord): boolean => e.doneAt != null;
const completion = (e: SwEventRecord): boolean => e.type === 'backgroundfetchsuccess' || e.type === 'backgroundfetchfail';

/** An event that reached the worker and met none of the app's listeners. */
export const noListener: Rule = (t) =>
  t.swEvents
    .filter((e) => e.listeners === 0)
    .map((e) => ({
      code: 'no-listener',
      // The data of a success or the news of a failure is lost; an abort or a click without a
      // listener only does nothing.
      severity: completion(e) ? 'error' : 'warning',
      message:
        `The ${e.type} event reached the service worker and no listener handled it: ` +
        (e.type === 'backgroundfetchsuccess'
          ? 'the downloaded responses were never stored and are gone once the event ends.'
          : e.type === 'backgroundfetchfail'
            ? 'the app never learned that the download failed.'
            : e.type === 'backgroundfetchabort'
              ? 'nothing cleaned up after the aborted download.'
              : "clicking the download in the browser's UI does nothing.") +
        ` Add self.addEventListener('${e.type}', ...) to the service worker.`,
      evidence: { event: e.type, at: e.at, listeners: 0 },
    }));

/** A listener for a name that no Background Fetch event has. */
export const unknownEventListener: Rule = (t) =>
  t.unknownListeners.map((u) => {
    const bare = u.via === 'property' ? u.name.replace(/^on/i, '') : u.name;
    const guess = didYouMean(bare, BACKGROUND_FETCH_EVENTS);
    const intended = guess && u.via === 'property' ? `on${guess}` : guess;
    return {
      code: 'unknown-event-listener',
      severity: 'error',
      message:
        `The service worker ${u.via === 'property' ? `sets self.${u.name}` : `listens for "${u.name}"`}, which is not a Background Fetch event, so it never runs.` +
        (intended ? ` Did you mean "${intended}"?` : ` The events are ${BACKGROUND_FETCH_EVENTS.join(', ')}.`),
      evidence: { name: u.name, via: u.via, didYouMean: intended ?? null, at: u.at },
    };
  });

export const waitUntilRejected: Rule = (t) =>
  t.swEvents.flatMap((e) =>
    (e.waitUntil ?? []).flatMap((w, i) =>
      w.status === 'rejected'
        ? [
            {
              code: 'wait-until-rejected',
              severity: 'error' as const,
              message: `A waitUntil() promise of the ${e.type} handler rejected with ${w.error?.name}: ${w.error?.message}. What the handler did after that point never happened.`,
              evidence: { event: e.type, promise: i + 1, name: w.error?.name ?? null, message: w.error?.message ?? null },
            },
          ]
        : [],
    ),
  );

export const fetchRejected: Rule = (t) => t.fetchCalls.filter((c) => !c.ok).map(fetchRejectedFinding);

export function fetchRejectedFinding(c: FindingInput['fetchCalls'][number]): Finding {
  return {
    code: 'fetch-rejected',
    severity: 'error',
    message: `backgroundFetch.fetch("${c.id}") in the ${c.context} rejected with ${c.error?.name}: ${c.error?.message}. Nothing was downloaded for that call.`,
    evidence: {
      id: c.id,
      context: c.context,
      at: c.at,
      name: c.error?.name ?? null,
      message: c.error?.message ?? null,
      requests: c.requests,
    },
  };
}

export const updateUiRejected: Rule = (t) =>
  t.uiUpdates
    .filter((u) => !u.ok)
    .map((u) => ({
      code: 'update-ui-rejected',
      severity: 'error',
      message:
        `updateUI() call #${u.call} rejected with ${u.error?.name}: ${u.error?.message}.` +
        (u.call > 1
          ? ' updateUI() may be called once per event.'
          : ' It must be called while the event is still active (inside waitUntil).'),
      evidence: { call: u.call, at: u.at, title: u.title, name: u.error?.name ?? null, message: u.error?.message ?? null },
    }));

/** The downloadTotal the app gave (0: none), from the registration as the page or worker saw it. */
function givenTotal(t: FindingInput): number {
  const seen = [...t.swEvents.map((e) => e.downloadTotal), ...t.progress.map((p) => p.downloadTotal)].find((n) => n > 0);
  return seen ?? t.fetchCalls.find((c) => c.ok && (c.options.downloadTotal ?? 0) > 0)?.options.downloadTotal ?? 0;
}

/** Bytes received: the registration's own count at the end, else the sizes CDP logged. */
function received(t: FindingInput): number | null {
  const last = [...t.swEvents].reverse().find((e) => e.type !== 'backgroundfetchclick') ?? t.progress.filter((p) => p.result).pop();
  if (last) return last.downloaded;
  if (t.requests.length && t.requests.every((r) => r.bytes !== null)) return t.requests.reduce((n, r) => n + r.bytes!, 0);
  return null;
}

export const downloadTotalMismatch: Rule = (t) => {
  const total = givenTotal(t);
  const got = received(t);
  if (t.outcome !== 'success' || total <= 0 || got === null || got === total) return [];
  const pct = Math.floor((got / total) * 100);
  return [
    {
      code: 'download-total-mismatch',
      severity: 'warning',
      message:
        `downloadTotal was ${total} bytes (${formatBytes(total)}) but ${got} bytes (${formatBytes(got)}) were received: ` +
        (got < total
          ? `progress stops at ${pct}% and never reaches 100%, and a page that waits for downloaded == downloadTotal waits forever.`
          : 'progress passes 100%.') +
        ' Give the exact sum of the response sizes, or leave downloadTotal out.',
      evidence: { downloadTotal: total, downloaded: got },
    },
  ];
};

/** Chromium ends a fetch whose bytes pass downloadTotal: the given total was too small. */
export const downloadTotalExceeded: Rule = (t) => {
  if (t.failureReason !== 'download-total-exceeded') return [];
  const total = givenTotal(t);
  return [
    {
      code: 'download-total-exceeded',
      severity: 'error',
      message: `The browser stopped the download because it passed downloadTotal (${total} bytes): the fetch failed. Give the exact sum of the response sizes, or leave downloadTotal out.`,
      evidence: { downloadTotal: total, downloaded: received(t), failureReason: 'download-total-exceeded' },
    },
  ];
};

function iconProblems(where: string, at: number, icons: readonly Partial<IconInfo>[] | null | undefined): Finding[] {
  return (icons ?? [])
    .filter((i) => !i.sizes)
    .map((i) => {
      const instead = (i.keys ?? []).filter((k) => /^sizes?$/i.test(k) && k !== 'sizes');
      return {
        code: 'icon-without-sizes',
        severity: 'warning' as const,
        message:
          `An icon passed to ${where} has no "sizes"${instead.length ? ` (it has "${instead.join('", "')}" instead)` : ''}: the browser cannot pick it for its UI by size and may show none. ` +
          'Give sizes such as "192x192".',
        evidence: { where, at, src: i.src ?? null, keys: [...(i.keys ?? [])] },
      };
    });
}

export const iconWithoutSizes: Rule = (t) => [
  ...t.fetchCalls.flatMap((c) => iconProblems('fetch()', c.at, c.options.iconInfo)),
  ...t.uiUpdates.flatMap((u) => iconProblems(`updateUI() #${u.call}`, u.at, u.icons)),
];

export const recordsNotRead: Rule = (t) =>
  t.swEvents
    .filter((e) => e.type === 'backgroundfetchsuccess' && handled(e) && e.listeners !== 0)
    .filter(() => !t.records.some((r) => r.context === 'worker'))
    .map((e) => ({
      code: 'records-not-read',
      severity: 'warning',
      message:
        'The backgroundfetchsuccess handler never called match() or matchAll(): the downloaded responses are gone once the event ends. Store them (e.g. in Cache Storage) inside waitUntil.',
      evidence: { event: e.type, at: e.at, doneAt: e.doneAt ?? null },
    }));

export const noUpdateUi: Rule = (t) =>
  t.swEvents
    .filter((e) => completion(e) && handled(e) && e.listeners !== 0)
    .filter(() => t.uiUpdates.length === 0)
    .map((e) => ({
      code: 'no-update-ui',
      severity: 'info',
      message: `The ${e.type} handler did not call updateUI(): the browser's download UI keeps its default text.`,
      evidence: { event: e.type, at: e.at },
    }));

/** A failed fetch: which request(s) made it fail, as the browser saw them. */
export const requestFailed: Rule = (t) => {
  if (t.outcome !== 'failure' || (t.failureReason !== 'bad-status' && t.failureReason !== 'fetch-error')) return [];
  const bad = t.requests.filter((r) => r.status === null || r.status === 0 || r.status >= 400);
  return [
    {
      code: 'request-failed',
      severity: 'error',
      message:
        `The fetch failed (${t.failureReason}): ` +
        (bad.length
          ? bad.map((r) => `[${r.index}] ${r.url} answered ${r.status || 'no response'}`).join(', ')
          : 'a request did not get an ok response') +
        '. One failed request fails the whole background fetch.',
      evidence: { failureReason: t.failureReason, requests: bad.map((r) => ({ index: r.index, url: r.url, status: r.status })) },
    },
  ];
};

/** A click on the browser's download UI that opened nothing. */
export const clickWithoutWindow: Rule = (t) =>
  t.swEvents
    .filter((e) => e.type === 'backgroundfetchclick' && handled(e) && e.listeners !== 0)
    .filter(() => t.openWindows.length === 0)
    .map((e) => ({
      code: 'click-opens-nothing',
      severity: 'info',
      message:
        "The backgroundfetchclick handler did not call clients.openWindow(): clicking the download in the browser's UI shows the user nothing.",
      evidence: { event: e.type, at: e.at },
    }));

export const RULES: readonly Rule[] = [
  noListener,
  unknownEventListener,
  waitUntilRejected,
  fetchRejected,
  updateUiRejected,
  requestFailed,
  downloadTotalExceeded,
  downloadTotalMismatch,
  iconWithoutSizes,
  recordsNotRead,
  noUpdateUi,
  clickWithoutWindow,
];
