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
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { RecordOptions } from './record.args.js';

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
  const { output, interrupt } = ctx;
  let connected: ConnectedBrowser | null = null;
  let browser: Browser | null = null;
  let recorder: BackgroundServiceRecorder;
  if (options.endpoint) {
    connected = await connect({ endpoint: options.endpoint });
    output.err(`Connected to ${connected.version.product} at ${options.endpoint}`);
    recorder = await BackgroundServiceRecorder.attach(connected, { services: options.services, probes: options.probes });
  } else {
    browser = await launch({ executablePath: options.browser ?? undefined, headless: !options.headed, args: options.browserArgs });
    const context = await browser.newContext();
    recorder = await BackgroundServiceRecorder.attach(context, { services: options.services, probes: options.probes });
    const page = await context.newPage();
    await page.goto(options.url!);
    output.err(`Opened ${options.url} in ${browser.version()}`);
  }
  output.err(`Recording ${options.services.join(', ')}${options.duration ? ` for ${options.duration} s` : ''}. Ctrl-C to stop.`);

  let replayed = recorder.events().length;
  if (replayed) output.err(`(${replayed} stored event(s) replayed by the browser)`);
  const show = (e: NormalisedEvent) => {
    if (options.ndjson) output.out(ndjsonLine(e));
    else output.err(eventLine(e));
  };
  for (const e of recorder.events()) show(e);
  const offEvent = recorder.on('event', show);

  let closedReason: string | null = null;
  const closed = new Promise<void>((r) =>
    recorder.onClose((reason) => {
      closedReason = reason;
      r();
    }),
  );
  const browserGone = new Promise<void>((r) => {
    browser?.on('disconnected', () => {
      closedReason ??= 'the browser closed';
      r();
    });
    connected?.client.on('disconnect', () => {
      closedReason ??= 'the CDP endpoint disconnected';
      r();
    });
  });
  const timer = options.duration ? new Promise<void>((r) => setTimeout(r, options.duration! * 1000).unref()) : new Promise<void>(() => {});
  await Promise.race([interrupt.promise, closed, browserGone, timer]);
  offEvent();

  const events = recorder.events();
  const fetches = recorder.fetches();
  if (options.out) {
    const path = resolve(ctx.cwd, options.out);
    writeFileAtomic(path, toDevToolsJsonText(events.map((e) => e.raw)));
    output.err(`Wrote ${events.length} event(s) to ${path}`);
  }
  output.err(`Recorded ${events.length} event(s), ${fetches.length} background fetch(es)` + (replayed ? ` (including ${replayed} replayed)` : ''));
  replayed = 0;
  for (const f of fetches) output.err(`  ${f.id}: ${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}, ${f.requests.length} request(s)`);

  await recorder.dispose().catch(() => undefined);
  if (browser) await browser.close().catch(() => undefined);
  if (connected) await connected.close().catch(() => undefined);

  if (closedReason) {
    output.err(`Recording stopped early: ${closedReason}. The events received before that were kept.`);
    return EXIT.failed;
  }
  return interrupt.requested ? EXIT.interrupted : EXIT.ok;
}
