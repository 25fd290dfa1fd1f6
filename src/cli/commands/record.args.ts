import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseServices, type ServiceName } from '../../recorder/services.js';
import { bool, str, strList, type CommandSpec } from '../command.js';

export interface RecordOptions {
  endpoint: string | null;
  url: string | null;
  browser: string | null;
  browserArgs: string[];
  headed: boolean;
  services: ServiceName[];
  out: string | null;
  ndjson: boolean;
  /** seconds; null = until Ctrl-C (or the endpoint closes). */
  duration: number | null;
  probes: boolean;
}

/** Checked before recording, so a recording is never lost to an unwritable --out at the end. */
function checkOutFile(out: string): void {
  if (out === '') throw new UsageError('--out needs a file path, e.g. --out events.json.');
  const path = resolve(out);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--out ${out} is a directory: give a file path, e.g. --out ${join(out, 'backgroundFetch.json')}.`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: the folder ${dir} does not exist.`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out}: the folder ${dir} is not writable.`);
  }
}

export const recordCommand: CommandSpec<RecordOptions> = {
  name: 'record',
  usage: 'record',
  describe: 'Record BackgroundService events from a running Chrome (--endpoint) or a page bgprobe opens (--url)',
  builder: (y: Argv) =>
    y
      .option('endpoint', { type: 'string', describe: 'DevTools endpoint of a running browser: http://127.0.0.1:9222 or ws://...' })
      .option('url', { type: 'string', describe: 'Launch a browser and open this page' })
      .option('browser', { type: 'string', describe: 'Browser binary for --url (default: discovered; BGPROBE_BROWSER)' })
      .option('browser-args', { type: 'string', array: true, describe: 'Extra browser flags for --url' })
      .option('headed', { type: 'boolean', default: false, describe: 'Show the browser window (--url)' })
      .option('service', { type: 'string', array: true, default: ['backgroundFetch'], describe: 'Service to record (repeatable), or all' })
      .option('out', { type: 'string', describe: 'Write the events here, in the DevTools "Save events" format' })
      .option('ndjson', { type: 'boolean', default: false, describe: 'Print one normalised event per line on stdout' })
      .option('duration', { type: 'number', describe: 'Stop after this many seconds (default: until Ctrl-C)' })
      .option('probes', { type: 'boolean', default: true, describe: 'Install page/worker probes (--no-probes to turn off)' })
      .example('$0 record --endpoint http://127.0.0.1:9222 --out events.json', 'record from a Chrome started with --remote-debugging-port=9222')
      .example('$0 record --url http://127.0.0.1:8080/podcast/ --duration 30 --ndjson', 'open a page, print events as NDJSON for 30 s')
      .check((a) => {
        if (!a['endpoint'] && !a['url']) throw new UsageError('Give --endpoint <http://host:port> to record a running browser, or --url <page> to open one.');
        if (a['endpoint'] && a['url']) throw new UsageError('--endpoint and --url cannot be combined: record a running browser OR open a page.');
        return true;
      }),
  toOptions(argv) {
    const duration = argv['duration'] as number | undefined;
    if (duration !== undefined && (!Number.isFinite(duration) || duration <= 0)) {
      throw new UsageError(`--duration must be a positive number of seconds, got "${String(argv['duration'])}".`);
    }
    const url = str(argv, 'url') ?? null;
    if (url !== null) {
      try {
        const u = new URL(url);
        if (!['http:', 'https:', 'file:'].includes(u.protocol)) throw new Error('scheme');
      } catch {
        throw new UsageError(`--url "${url}" is not an http(s) URL. Example: --url http://127.0.0.1:8080/podcast/`);
      }
    }
    const out = str(argv, 'out') ?? null;
    if (out !== null) checkOutFile(out);
    return {
      endpoint: str(argv, 'endpoint') ?? null,
      url,
      browser: str(argv, 'browser') ?? null,
      browserArgs: strList(argv, 'browser-args'),
      headed: bool(argv, 'headed'),
      services: parseServices(strList(argv, 'service')),
      out,
      ndjson: bool(argv, 'ndjson'),
      duration: duration ?? null,
      probes: argv['probes'] !== false,
    };
  },
  async run(options, ctx) {
    const { runRecord } = await import('./record.js');
    return runRecord(options, ctx);
  },
};
