import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseServices } from '../../recorder/services.js';
import { defineCommand, numberFlag, positiveSeconds, stringFlag } from '../command.js';
import { DEFAULT_SERVICES, type RecordOptions } from '../options.js';

/** Checked before recording, so a recording is never lost to an unwritable --out at the end. */
function checkOutFile(out: string): string {
  if (out === '') throw new UsageError('--out needs a file path, e.g. --out events.json.');
  const path = resolve(out);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`--out ${out} is a directory: give a file path, e.g. --out ${join(out, 'backgroundFetch.json')}.`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: the folder ${dir} does not exist.`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out}: the folder ${dir} is not writable.`);
  }
  return out;
}

function pageUrl(value: unknown): string {
  const url = String(value);
  try {
    const u = new URL(url);
    if (['http:', 'https:', 'file:'].includes(u.protocol)) return url;
  } catch {
    // Not a URL at all: the same message as a URL of another scheme.
  }
  throw new UsageError(`--url "${url}" is not an http(s) URL. Example: --url http://127.0.0.1:8080/podcast/`);
}

export const recordCommand = defineCommand({
  name: 'record',
  usage: 'record',
  describe: 'Record BackgroundService events from a running Chrome (--endpoint) or a page bgprobe opens (--url)',
  flags: {
    endpoint: stringFlag('DevTools endpoint of a running browser: http://127.0.0.1:9222 or ws://...'),
    url: { type: 'string', coerce: pageUrl, describe: 'Launch a browser and open this page' },
    browser: stringFlag('Browser binary for --url (default: discovered; BGPROBE_BROWSER)'),
    'browser-args': {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'none',
      describe: 'Extra browser flags for --url',
    },
    headed: { type: 'boolean', default: false, describe: 'Show the browser window (--url)' },
    service: {
      type: 'string',
      array: true,
      default: [...DEFAULT_SERVICES],
      coerce: (v: string[]) => parseServices(v),
      describe: 'Service to record (repeatable), or all',
    },
    out: {
      type: 'string',
      coerce: (v: unknown) => checkOutFile(String(v)),
      describe: 'Write the events here, in the DevTools "Save events" format',
    },
    ndjson: { type: 'boolean', default: false, describe: 'Print one normalised event per line on stdout' },
    duration: numberFlag('duration', 'Stop after this many seconds (default: until Ctrl-C)', { check: positiveSeconds('duration') }),
    probes: { type: 'boolean', default: true, describe: 'Install page/worker probes (--no-probes to turn off)' },
  },
  examples: [
    ['$0 record --endpoint http://127.0.0.1:9222 --out events.json', 'record from a Chrome started with --remote-debugging-port=9222'],
    ['$0 record --url http://127.0.0.1:8080/podcast/ --duration 30 --ndjson', 'open a page, print events as NDJSON for 30 s'],
  ],
  check(argv) {
    if (!argv.endpoint && !argv.url)
      throw new UsageError('Give --endpoint <http://host:port> to record a running browser, or --url <page> to open one.');
    if (argv.endpoint && argv.url)
      throw new UsageError('--endpoint and --url cannot be combined: record a running browser OR open a page.');
  },
  toOptions: (argv): RecordOptions => ({
    endpoint: argv.endpoint ?? null,
    url: argv.url ?? null,
    browser: argv.browser ?? null,
    browserArgs: argv['browser-args'],
    headless: !argv.headed,
    services: argv.service,
    out: argv.out ?? null,
    ndjson: argv.ndjson,
    duration: argv.duration === undefined ? null : Math.round(argv.duration * 1000),
    probes: argv.probes,
  }),
  async run(options, ctx) {
    const { runRecord } = await import('./record.js');
    return runRecord(options, ctx);
  },
});
