import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import type { Severity } from '../../findings/index.js';
import { bool, str, strList, type CommandSpec } from '../command.js';

export interface AuditOptions {
  /** The app's page (null with --endpoint and no URL: every origin counts). */
  url: string | null;
  clicks: string[];
  /** Absolute path of a .js/.mjs module whose default export is given the Playwright page. */
  script: string | null;
  /** Seconds to wait for the triggers and for every fetch to settle. */
  timeout: number;
  headed: boolean;
  endpoint: string | null;
  /** Seconds to watch a running browser (--endpoint); null = until Ctrl-C. */
  duration: number | null;
  json: boolean;
  out: string | null;
  failOn: Severity;
  browser: string | null;
  browserArgs: string[];
}

function positive(argv: Record<string, unknown>, key: string): number | undefined {
  const v = argv[key] as number | undefined;
  if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new UsageError(`--${key} must be a positive number of seconds, got "${String(v)}".`);
  return v;
}

function checkUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!['http:', 'https:'].includes(u.protocol)) throw new Error('scheme');
    return u.href;
  } catch {
    throw new UsageError(`"${url}" is not an http(s) URL. Give the page of your app, e.g. bgprobe audit http://127.0.0.1:8080/podcast/`);
  }
}

function checkScript(script: string): string {
  const path = resolve(script);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--script ${script}: no such file. Give a .js or .mjs file whose default export is async (page) => { ... }.`);
  if (!['.js', '.mjs', '.cjs'].includes(extname(path))) throw new UsageError(`--script ${script}: give a .js or .mjs file (default export: async (page) => { ... }).`);
  return path;
}

export const auditCommand: CommandSpec<AuditOptions> = {
  name: 'audit',
  usage: 'audit [url]',
  describe: "Open an app, start its background fetches, and say what is wrong with them (findings)",
  builder: (y: Argv) =>
    y
      .positional('url', { type: 'string', describe: "The app's page" })
      .option('click', { type: 'string', array: true, describe: 'Click this selector to start a download (repeatable, in order)' })
      .option('script', { type: 'string', describe: 'A .js/.mjs file whose default export gets the Playwright page: async (page) => { ... }' })
      .option('timeout', { type: 'number', default: 60, describe: 'Seconds to wait for each selector and for every fetch to settle' })
      .option('headed', { type: 'boolean', default: false, describe: 'Show the browser window' })
      .option('endpoint', { type: 'string', describe: 'Audit a Chrome already running (--remote-debugging-port): you click, it watches' })
      .option('duration', { type: 'number', describe: 'With --endpoint: stop after this many seconds (default: Ctrl-C)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { fetches, findings } as JSON on stdout' })
      .option('out', { type: 'string', describe: 'Write the HTML and JSON report to this directory' })
      .option('fail-on', { choices: ['error', 'warning', 'info'] as const, default: 'error', describe: 'Exit 1 when a finding this severe (or worse) was found' })
      .option('browser', { type: 'string', describe: 'Browser binary (default: discovered; BGPROBE_BROWSER)' })
      .option('browser-args', { type: 'string', array: true, describe: 'Extra browser flags' })
      .example("$0 audit http://127.0.0.1:8080/podcast/ --click 'text=Download episode 1'", 'open the app, click, report what is wrong')
      .example('$0 audit --endpoint http://127.0.0.1:9222 --duration 120', 'watch a Chrome you drive by hand for two minutes')
      .check((a) => {
        if (!a['url'] && !a['endpoint']) throw new UsageError("Give the app's URL (bgprobe audit http://127.0.0.1:8080/app/ --click '#download'), or --endpoint of a running Chrome.");
        if (a['endpoint'] && (a['click'] || a['script'])) throw new UsageError('--click and --script drive a browser bgprobe opens: with --endpoint you click in the browser yourself.');
        if (a['duration'] !== undefined && !a['endpoint']) throw new UsageError('--duration is for --endpoint; a browser bgprobe opens waits for its fetches (--timeout).');
        return true;
      }),
  toOptions(argv) {
    const timeout = positive(argv, 'timeout') ?? 60;
    const duration = positive(argv, 'duration') ?? null;
    const url = str(argv, 'url');
    const script = str(argv, 'script');
    const clicks = strList(argv, 'click');
    for (const c of clicks) if (!c.trim()) throw new UsageError('--click needs a selector, e.g. --click "text=Download".');
    const out = str(argv, 'out') ?? null;
    if (out === '') throw new UsageError('--out needs a directory, e.g. --out audit-report.');
    return {
      url: url === undefined ? null : checkUrl(url),
      clicks,
      script: script === undefined ? null : checkScript(script),
      timeout,
      headed: bool(argv, 'headed'),
      endpoint: str(argv, 'endpoint') ?? null,
      duration,
      json: bool(argv, 'json'),
      out,
      failOn: (str(argv, 'fail-on') ?? 'error') as Severity,
      browser: str(argv, 'browser') ?? null,
      browserArgs: strList(argv, 'browser-args'),
    };
  },
  async run(options, ctx) {
    const { runAudit } = await import('./audit.js');
    return runAudit(options, ctx);
  },
};
