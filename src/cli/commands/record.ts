/**
 * `bgprobe record`: call record() (src/recorder/record.ts) with the flags, print events as they
 * come (lines on stderr, or NDJSON on stdout), then what was recorded; exit 1 when the browser
 * went away before the end (the events received so far are still written), 130 on Ctrl-C.
 */
import { resolve } from 'node:path';
import type { NormalisedEvent } from '../../recorder/normalise.js';
import { record } from '../../recorder/record.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { RecordOptions } from '../options.js';

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
  const { ndjson, out, ...rest } = options;
  const controller = new AbortController();
  void interrupt.promise.then(() => controller.abort());
  const result = await record({
    ...rest,
    out: out ? resolve(ctx.cwd, out) : null,
    signal: controller.signal,
    onMessage: (line) => output.err(line),
    onEvent: (e) => (ndjson ? output.out(ndjsonLine(e)) : output.err(eventLine(e))),
  });
  const { events, fetches, replayed } = result;
  if (result.file) output.err(`Wrote ${events.length} event(s) to ${result.file}`);
  output.err(
    `Recorded ${events.length} event(s), ${fetches.length} background fetch(es)` + (replayed ? ` (including ${replayed} replayed)` : ''),
  );
  for (const f of fetches)
    output.err(`  ${f.id}: ${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}, ${f.requests.length} request(s)`);

  if (result.stopped === 'lost') {
    output.err(`Recording stopped early: ${result.lost}. The events received before that were kept.`);
    return EXIT.failed;
  }
  return result.stopped === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
