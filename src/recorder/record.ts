/**
 * record: `bgprobe record` as a library call. Attach a recorder to a running browser
 * (`endpoint`) or to a page bgprobe opens (`url`), hand every event to `onEvent` as it comes,
 * and stop after `duration`, when `signal` aborts, or when the browser goes away (the events
 * received so far are kept). With `out`, the DevTools "Save events" file is written when it
 * stops.
 */
import type { Browser } from 'playwright-core';
import { connect, type ConnectedBrowser } from '../browsers/connect.js';
import { launchPlaywright } from '../browsers/browser-type.js';
import type { BrowserSpec, EngineDriver } from '../browsers/types.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { bestEffort, debug } from '../util/debug.js';
import { toDevToolsJsonText } from './devtools-json.js';
import type { NormalisedEvent } from './normalise.js';
import { BackgroundServiceRecorder } from './recorder.js';
import type { ServiceName } from './services.js';
import type { FetchTimeline } from './timeline.js';

const log = debug('bgprobe:record');

export interface RecordConfig {
  /** A running browser's CDP endpoint (`http://host:port`); or give `url`. */
  endpoint: string | null;
  /** A page bgprobe opens in a browser it launches; or give `endpoint`. */
  url: string | null;
  /** A Chromium binary for `url`; null: discovered. */
  browser: string | null;
  browserArgs: string[];
  headless: boolean;
  services: ServiceName[];
  probes: boolean;
  /** ms to record; null: until `signal` aborts or the browser goes away. */
  duration: number | null;
  /** Write the events here when the recording stops, in the DevTools "Save events" format. */
  out: string | null;
  signal: AbortSignal | null;
  /** Each event as it comes (the ones the browser replays on attach first). */
  onEvent: ((e: NormalisedEvent) => void) | null;
  /** A line for the person watching (connected, opened, recording). */
  onMessage: ((line: string) => void) | null;
}

export type RecordRunOptions = Partial<RecordConfig>;

export function resolveRecordConfig(options: RecordRunOptions | RecordConfig): RecordConfig {
  if (!options.endpoint && !options.url)
    throw new UsageError('Give --endpoint <http://host:port> to record a running browser, or --url <page> to open one.');
  return {
    endpoint: options.endpoint ?? null,
    url: options.url ?? null,
    browser: options.browser ?? null,
    browserArgs: options.browserArgs ?? [],
    headless: options.headless ?? true,
    services: options.services ?? ['backgroundFetch'],
    probes: options.probes ?? true,
    duration: options.duration ?? null,
    out: options.out ?? null,
    signal: options.signal ?? null,
    onEvent: options.onEvent ?? null,
    onMessage: options.onMessage ?? null,
  };
}

export interface RecordResult {
  events: NormalisedEvent[];
  fetches: FetchTimeline[];
  /** How many of the events the browser replayed on attach (stored from before). */
  replayed: number;
  stopped: 'interrupted' | 'lost' | 'duration';
  /** Why the browser went away, when it did. */
  lost: string | null;
  /** The file written (`out`), or null. */
  file: string | null;
}

export async function record(options: RecordRunOptions | RecordConfig): Promise<RecordResult> {
  const config = resolveRecordConfig(options);
  let connected: ConnectedBrowser | null = null;
  let browser: Browser | null = null;
  let recorder: BackgroundServiceRecorder | null = null;
  let closeBrowser: (() => Promise<void>) | null = null;
  try {
    if (config.endpoint) {
      connected = await connect({ endpoint: config.endpoint });
      config.onMessage?.(`Connected to ${connected.version.product} at ${config.endpoint}`);
      recorder = await BackgroundServiceRecorder.attach(connected, { services: config.services, probes: config.probes });
    } else {
      // The browser layer leaves Ctrl-C to the caller (it writes the file first).
      const spec: BrowserSpec = {
        label: 'chromium',
        kind: config.browser ? 'path' : 'default',
        target: config.browser,
        args: config.browserArgs,
      };
      let driver: EngineDriver;
      ({ browser, driver } = await launchPlaywright(spec, { headless: config.headless }));
      closeBrowser = () => driver.close();
      const context = await browser.newContext();
      recorder = await BackgroundServiceRecorder.attach(context, { services: config.services, probes: config.probes });
      const page = await context.newPage();
      try {
        await page.goto(config.url!);
      } catch (e) {
        throw new UsageError(`Could not open ${config.url}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
      config.onMessage?.(`Opened ${config.url} in ${browser.version()}`);
    }
    return await recordUntilStopped(recorder, config, browser, connected);
  } finally {
    // Clean-up after the file is written (or the error that stopped it): a browser that is
    // already gone must not replace that outcome, so these only log (DEBUG=bgprobe:record).
    await bestEffort(log, 'recorder.dispose()', async () => recorder?.dispose());
    await bestEffort(log, 'closing the launched browser', async () => closeBrowser?.());
    await bestEffort(log, 'closing the CDP connection', async () => connected?.close());
  }
}

async function recordUntilStopped(
  recorder: BackgroundServiceRecorder,
  config: RecordConfig,
  browser: Browser | null,
  connected: ConnectedBrowser | null,
): Promise<RecordResult> {
  config.onMessage?.(
    `Recording ${config.services.join(', ')}${config.duration ? ` for ${config.duration / 1000} s` : ''}. Ctrl-C to stop.`,
  );
  const replayed = recorder.events().length;
  if (replayed) config.onMessage?.(`(${replayed} stored event(s) replayed by the browser)`);
  const show = (e: NormalisedEvent) => config.onEvent?.(e);
  for (const e of recorder.events()) show(e);
  recorder.on('event', show);

  const { stopped, lost } = await waitForStop(recorder, config, browser, connected);
  recorder.off('event', show);

  const events = recorder.events();
  if (config.out) writeFileAtomic(config.out, toDevToolsJsonText(events.map((e) => e.raw)));
  return { events, fetches: recorder.fetches(), replayed, stopped, lost, file: config.out };
}

/**
 * What ends a recording: `duration`, `signal`, or the browser going away. Why it went away is
 * decided by this race, so the clean-up's own disconnects (closing the browser we launched)
 * cannot count as one.
 */
async function waitForStop(
  recorder: BackgroundServiceRecorder,
  config: RecordConfig,
  browser: Browser | null,
  connected: ConnectedBrowser | null,
): Promise<{ stopped: 'interrupted' | 'lost' | 'duration'; lost: string | null }> {
  let lost: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const { signal } = config;
  const stopped = await Promise.race([
    new Promise<'interrupted'>((r) => {
      if (signal?.aborted) r('interrupted');
      signal?.addEventListener('abort', () => r('interrupted'), { once: true });
    }),
    new Promise<'lost'>((r) =>
      recorder.onClose((reason) => {
        lost ??= reason;
        r('lost');
      }),
    ),
    new Promise<'lost'>((r) => {
      browser?.on('disconnected', () => {
        lost ??= 'the browser closed';
        r('lost');
      });
      connected?.client.on('disconnect', () => {
        lost ??= 'the CDP endpoint disconnected';
        r('lost');
      });
    }),
    new Promise<'duration'>((r) => {
      if (config.duration) timer = setTimeout(() => r('duration'), config.duration);
    }),
  ]);
  clearTimeout(timer);
  return { stopped, lost };
}
