/**
 * `bgprobe record`: attach a recorder to a running browser (--endpoint) or to a page bgprobe
 * opens (--url), print events as they come, and write the DevTools "Save events" file when
 * it stops: after --duration, on Ctrl-C, or when the browser goes away (the events received
 * so far are still written; exit code 1).
 */
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { connect, type ConnectedBrowser } from '../../browsers/connect.js';
import { launch } from '../../browsers/launch.js';
import { BackgroundServiceRecorder } from '../../recorder/recorder.js';
import type { NormalisedEvent } from '../../recorder/normalise.js';
import { toDevToolsJsonText } from '../../recorder/devtools-json.js';
import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { bestEffort, debug } from '../../util/debug.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { RecordOptions } from '../options.js';

const log = debug('bgprobe:cli');

export function eventLine(e: NormalisedEvent): string {
  const time = new Date(e.at).toISOString().slice(11, 23);
  const meta = Object.keys(e.metadata)
    .sort()
    .map((k) => `${k}=${e.metadata[k]}`)
    .join(' ');
  return `${time} ${e.service.padEnd(16)} ${e.name}  [${e.instanceId}]${meta ? `  ${meta}` : ''}`;
}

export function ndjsonLine(e: NormalisedEvent): string {
  const { raw: _raw, key: _key, ...rest } = e;
  return JSON.stringify(rest);
}

export async function runRecord(options: RecordOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  let connected: ConnectedBrowser | null = null;
  let browser: Browser | null = null;
  let recorder: BackgroundServiceRecorder | null = null;
  try {
    if (options.endpoint) {
      connected = await connect({ endpoint: options.endpoint });
      output.err(`Connected to ${connected.version.product} at ${options.endpoint}`);
      recorder = await BackgroundServiceRecorder.attach(connected, { services: options.services, probes: options.probes });
    } else {
      // This command handles Ctrl-C itself (it writes the file first): not Playwright.
      browser = await launch({ executablePath: options.browser ?? undefined, headless: !options.headed, args: options.browserArgs, handleSignals: false });
      const context = await browser.newContext();
      recorder = await BackgroundServiceRecorder.attach(context, { services: options.services, probes: options.probes });
      const page = await context.newPage();
      try {
        await page.goto(options.url!);
      } catch (e) {
        throw new UsageError(`Could not open ${options.url}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
      output.err(`Opened ${options.url} in ${browser.version()}`);
    }
    return await recordUntilStopped(recorder, options, ctx, browser, connected);
  } finally {
    // Clean-up after the file is written (or the error that stopped it): a browser that is
    // already gone must not replace that outcome, so these only log (DEBUG=bgprobe:cli).
    await bestEffort(log, 'recorder.dispose()', async () => recorder?.dispose());
    await bestEffort(log, 'closing the launched browser', async () => browser?.close());
    await bestEffort(log, 'closing the CDP connection', async () => connected?.close());
  }
}

async function recordUntilStopped(
  recorder: BackgroundServiceRecorder,
  options: RecordOptions,
  ctx: CommandContext,
  browser: Browser | null,
  connected: ConnectedBrowser | null,
): Promise<ExitCode> {
  const { output, interrupt } = ctx;
  output.err(`Recording ${options.services.join(', ')}${options.duration ? ` for ${options.duration} s` : ''}. Ctrl-C to stop.`);
  const replayed = recorder.events().length;
  if (replayed) output.err(`(${replayed} stored event(s) replayed by the browser)`);
  const show = (e: NormalisedEvent) => {
    if (options.ndjson) output.out(ndjsonLine(e));
    else output.err(eventLine(e));
  };
  for (const e of recorder.events()) show(e);
  recorder.on('event', show);

  const { stopped, lost } = await waitForStop(recorder, options, interrupt, browser, connected);
  recorder.off('event', show);

  const events = recorder.events();
  const fetches = recorder.fetches();
  if (options.out) {
    const path = resolve(ctx.cwd, options.out);
    writeFileAtomic(path, toDevToolsJsonText(events.map((e) => e.raw)));
    output.err(`Wrote ${events.length} event(s) to ${path}`);
  }
  output.err(`Recorded ${events.length} event(s), ${fetches.length} background fetch(es)` + (replayed ? ` (including ${replayed} replayed)` : ''));
  for (const f of fetches) output.err(`  ${f.id}: ${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}, ${f.requests.length} request(s)`);

  if (stopped === 'lost') {
    output.err(`Recording stopped early: ${lost}. The events received before that were kept.`);
    return EXIT.failed;
  }
  return stopped === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}

/**
 * What ends a recording: --duration, Ctrl-C, or the browser going away. Why it went away is
 * decided by this race, so the clean-up's own disconnects (closing the browser we launched)
 * cannot count as one.
 */
async function waitForStop(
  recorder: BackgroundServiceRecorder,
  options: RecordOptions,
  interrupt: CommandContext['interrupt'],
  browser: Browser | null,
  connected: ConnectedBrowser | null,
): Promise<{ stopped: 'interrupted' | 'lost' | 'duration'; lost: string | null }> {
  let lost: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    interrupt.promise.then(() => 'interrupted' as const),
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
      if (options.duration) timer = setTimeout(() => r('duration'), options.duration * 1000);
    }),
  ]);
  clearTimeout(timer);
  return { stopped, lost };
}
