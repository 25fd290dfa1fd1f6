import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { defineCommand, numberFlag, positiveSeconds, stringFlag, wholeAtLeastZero } from '../command.js';
import { AUDIT_FAIL_ON, DEFAULT_AUDIT_FAIL_ON, DEFAULT_AUDIT_RETRIES, DEFAULT_AUDIT_TIMEOUT_S, type AuditOptions } from '../options.js';
import { stepSummaryFlag, gridLane } from '../flags.js';

function appUrl(value: unknown): string {
  const url = String(value);
  try {
    const u = new URL(url);
    if (['http:', 'https:'].includes(u.protocol)) return u.href;
  } catch {
    // Not a URL at all: the same message as a URL of another scheme.
  }
  throw new UsageError(`"${url}" is not an http(s) URL. Give the page of your app, e.g. bgprobe audit http://127.0.0.1:8080/podcast/`);
}

function scriptFile(value: unknown): string {
  const script = String(value);
  const path = resolve(script);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UsageError(`--script ${script}: no such file. Give a .js or .mjs file whose default export is async (page) => { ... }.`);
  if (!['.js', '.mjs', '.cjs'].includes(extname(path)))
    throw new UsageError(`--script ${script}: give a .js or .mjs file (default export: async (page) => { ... }).`);
  return path;
}

function selectors(values: unknown[]): string[] {
  const list = values.map(String);
  if (list.some((c) => !c.trim())) throw new UsageError('--click needs a selector, e.g. --click "text=Download".');
  return list;
}

export const auditCommand = defineCommand({
  name: 'audit',
  usage: 'audit [url]',
  describe: 'Open an app, start its background fetches, and say what is wrong with them (findings)',
  positionals: {
    url: { type: 'string', coerce: appUrl, describe: "The app's page" },
  },
  flags: {
    click: {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'none',
      coerce: selectors,
      describe: 'Click this selector to start a download (repeatable, in order)',
    },
    script: {
      type: 'string',
      coerce: scriptFile,
      describe: 'A .js/.mjs file whose default export gets the Playwright page: async (page) => { ... }',
    },
    timeout: numberFlag('timeout', 'Seconds to wait for each selector and for every fetch to settle', {
      default: DEFAULT_AUDIT_TIMEOUT_S,
      check: positiveSeconds('timeout'),
    }),
    headed: { type: 'boolean', default: false, describe: 'Show the browser window' },
    retries: numberFlag(
      'retries',
      "Re-run the audit on a fresh browser when its browser crashed or disconnected, up to this many times (0: off); the findings are the re-run's",
      { default: DEFAULT_AUDIT_RETRIES, check: wholeAtLeastZero('retries') },
    ),
    endpoint: stringFlag('Audit a Chrome already running (--remote-debugging-port): you click, it watches'),
    duration: numberFlag('duration', 'With --endpoint: stop after this many seconds (default: Ctrl-C)', {
      check: positiveSeconds('duration'),
    }),
    json: { type: 'boolean', default: false, describe: 'Print { fetches, findings } as JSON on stdout' },
    out: { type: 'string', coerce: (v: unknown) => String(v), describe: 'Write the HTML and JSON report to this directory' },
    'fail-on': {
      choices: AUDIT_FAIL_ON,
      default: DEFAULT_AUDIT_FAIL_ON,
      describe: 'Exit 1 when a finding this severe (or worse) was found',
    },
    browser: stringFlag('Browser binary (default: discovered; BGPROBE_BROWSER)'),
    grid: stringFlag(
      'Open the browser on this Selenium Grid (http://host:4444; default: $BGPROBE_GRID_URL) instead of this machine: the app must be reachable from its nodes. See docs/grid.md',
    ),
    'grid-capabilities': stringFlag("W3C capabilities (a JSON object) for the Grid session, merged over bgprobe's"),
    'browser-args': { type: 'string', array: true, default: [] as string[], defaultDescription: 'none', describe: 'Extra browser flags' },
    'step-summary': stepSummaryFlag(),
  },
  examples: [
    ["$0 audit http://127.0.0.1:8080/podcast/ --click 'text=Download episode 1'", 'open the app, click, report what is wrong'],
    ['$0 audit --endpoint http://127.0.0.1:9222 --duration 120', 'watch a Chrome you drive by hand for two minutes'],
  ],
  check(argv) {
    if (!argv.url && !argv.endpoint)
      throw new UsageError(
        "Give the app's URL (bgprobe audit http://127.0.0.1:8080/app/ --click '#download'), or --endpoint of a running Chrome.",
      );
    if (argv.endpoint && (argv.click.length || argv.script))
      throw new UsageError('--click and --script drive a browser bgprobe opens: with --endpoint you click in the browser yourself.');
    if (argv.grid && (argv.endpoint || argv.browser))
      throw new UsageError('--grid opens the browser on a Selenium Grid: it goes with neither --endpoint nor --browser.');
    if (argv.duration !== undefined && !argv.endpoint)
      throw new UsageError('--duration is for --endpoint; a browser bgprobe opens waits for its fetches (--timeout).');
    if (argv.out === '') throw new UsageError('--out needs a directory, e.g. --out audit-report.');
  },
  toOptions: (argv): AuditOptions => ({
    url: argv.url ?? null,
    clicks: argv.click,
    script: argv.script ?? null,
    timeout: Math.round(argv.timeout * 1000),
    headless: !argv.headed,
    endpoint: argv.endpoint ?? null,
    duration: argv.duration === undefined ? null : Math.round(argv.duration * 1000),
    json: argv.json,
    out: argv.out ?? null,
    failOn: argv['fail-on'],
    browser: argv.browser ?? null,
    browserArgs: argv['browser-args'],
    grid: argv.endpoint || argv.browser ? null : gridLane(argv.grid, argv['grid-capabilities']),
    retries: argv.retries,
    stepSummary: argv['step-summary'],
  }),
  async run(options, ctx) {
    const { runAuditCommand } = await import('./audit.js');
    return runAuditCommand(options, ctx);
  },
});
