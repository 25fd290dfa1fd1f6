import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse.js';
import { UsageError } from '../../src/errors.js';
import type { RecordOptions } from '../../src/cli/options.js';
import { DEFAULT_WORKERS, DEFAULT_WPT_WORKERS } from '../../src/cli/options.js';

async function record(argv: string[]): Promise<RecordOptions> {
  const parsed = await parseArgs(argv);
  if (parsed.kind !== 'run' || parsed.spec.name !== 'record') throw new Error(`not a record run: ${parsed.kind}`);
  return parsed.options as RecordOptions;
}

describe('parseArgs (pure: no output, no exit)', () => {
  it('parses record with defaults', async () => {
    const o = await record(['record', '--endpoint', 'http://127.0.0.1:9222']);
    expect(o).toMatchObject({
      endpoint: 'http://127.0.0.1:9222',
      url: null,
      services: ['backgroundFetch'],
      ndjson: false,
      duration: null,
      out: null,
      probes: true,
    });
  });

  it('repeats --service and expands all', async () => {
    expect(
      (await record(['record', '--url', 'http://127.0.0.1:1/', '--service', 'backgroundSync', '--service', 'notifications'])).services,
    ).toEqual(['backgroundSync', 'notifications']);
    expect((await record(['record', '--url', 'http://127.0.0.1:1/', '--service', 'all'])).services).toHaveLength(6);
  });

  it('--no-probes, --headed, --duration, --out', async () => {
    const o = await record(['record', '--url', 'http://127.0.0.1:1/', '--no-probes', '--headed', '--duration', '2.5', '--out', 'x.json']);
    expect(o).toMatchObject({ probes: false, headless: false, duration: 2_500, out: 'x.json' });
  });

  it.each([
    [['record'], /Give --endpoint/],
    [['record', '--endpoint', 'http://a:1', '--url', 'http://b/'], /cannot be combined/],
    [['record', '--url', 'notaurl'], /is not an http\(s\) URL/],
    [['record', '--url', 'http://x/', '--duration', '0'], /--duration must be a positive number/],
    [['record', '--url', 'http://x/', '--service', 'push'], /Did you mean `pushMessaging`\?/],
    [['record', '--url', 'http://x/', '--durration', '3'], /Unknown option --durration\. Did you mean --duration\?/],
    [['recrod'], /Unknown command "recrod"\. Did you mean `record`\?/],
    // yargs makes NaN of these: the message quotes what was typed instead.
    [['serve', '--port', 'abc'], /^--port takes a number, got "abc"\.$/],
    [['compat', '--workers=three'], /^--workers takes a number, got "three"\.$/],
    [['compat', '--timeout', ''], /^--timeout takes a number, got ""\.$/],
    [['record', '--url', 'http://x/', '--duration'], /^--duration needs a number\.$/],
  ])('rejects %j with a clear UsageError', async (argv, message) => {
    const error = await parseArgs(argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('returns help text instead of printing it', async () => {
    const parsed = await parseArgs(['--help']);
    expect(parsed.kind).toBe('help');
    if (parsed.kind === 'help') {
      expect(parsed.text).toContain('record');
      expect(parsed.text).toContain('Exit codes: 0 ok, 1');
    }
    // No command at all is bad usage (exit 2, help on stderr), not a request for help.
    expect((await parseArgs([])).kind).toBe('no-command');
    const sub = await parseArgs(['record', '--help']);
    expect(sub.kind === 'help' && sub.text).toContain('--endpoint');
  });
});

describe('parseArgs: browser flags as values', () => {
  it('explains the = form when --browser-args is followed by a flag', async () => {
    const error = await parseArgs(['compat', '--browser-args', '--disable-blink-features=BackgroundFetch']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--browser-args needs its value attached with "=": --browser-args=--disable-blink-features=BackgroundFetch (a value starting with -- reads as an option).',
    );
    expect((await parseArgs(['compat', '--browser-args=--disable-blink-features=BackgroundFetch'])).kind).toBe('run');
  });
});

describe('parseArgs: what the declarations give', () => {
  it('comma lists and repeats mean the same; choices are checked after the split', async () => {
    const parsed = await parseArgs([
      'compat',
      '--fail-on',
      'deviates,errors',
      '--fail-on',
      'errors',
      '--scenario',
      'fetch.*,api.*',
      '--format',
      'markdown',
    ]);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({
      failOn: ['deviates', 'errors'],
      scenarios: ['fetch.*', 'api.*'],
      formats: ['md'],
    });
    const error = await parseArgs(['compat', '--fail-on', 'errors,sometimes']).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Unknown --fail-on "sometimes". Valid: deviates, regressions, errors, flaky.');
  });

  it('a missing positional says what to give', async () => {
    for (const [argv, message] of [
      [['diff', 'a.json'], 'Give two reports: bgprobe diff <a.json> <b.json>.'],
      [['report'], 'Give the report.json to render: bgprobe report <report.json>.'],
      [['merge'], 'Give the shard reports to merge: bgprobe merge <a.json> <b.json> ...'],
    ] as const) {
      const error = await parseArgs(argv).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    }
  });

  it("the version is package.json's, and --help shows the choices and defaults", async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await parseArgs(['--version'])).toEqual({ kind: 'version', text: pkg.version });
    const help = await parseArgs(['compat', '--help']);
    expect(help.kind === 'help' && help.text).toMatch(/--fail-on[\s\S]*choices: "deviates", "regressions", "errors"/);
    expect(help.kind === 'help' && help.text).toMatch(new RegExp(`--workers[\\s\\S]*default: ${DEFAULT_WORKERS}`));
  });

  it('wpt: tests as positionals, --wpt-root required, its defaults shown in --help', async () => {
    const parsed = await parseArgs(['wpt', 'background-fetch/fetch*.js', '--wpt-root', 'wpt', '--format', 'md']);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({
      tests: ['background-fetch/fetch*.js'],
      wptRoot: 'wpt',
      out: 'bgprobe-wpt',
      workers: DEFAULT_WPT_WORKERS,
      timeoutMultiplier: 5,
      formats: ['md'],
    });
    const error = await parseArgs(['wpt']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const help = await parseArgs(['wpt', '--help']);
    expect(help.kind === 'help' && help.text).toMatch(/--timeout-multiplier[\s\S]*default: 5/);
  });

  it('a repeated one-value flag keeps its last value', async () => {
    const parsed = await parseArgs(['compat', '--out', 'a', '--out', 'b', '--workers', '2', '--workers', '4']);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({ out: 'b', workers: 4 });
  });
});
