import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/commands/compat.js';
import { countVerdicts } from '../../src/report/model.js';
import { summaryLines } from '../../src/report/view.js';
import { parseArgs } from '../../src/cli/parse.js';
import type { CompatOptions } from '../../src/cli/options.js';
import { DEFAULT_WORKERS, defaultWorkers } from '../../src/compat/run.js';
import { model, result } from './report-fixture.js';

async function compatOptions(argv: string[]): Promise<CompatOptions> {
  const parsed = await parseArgs(['compat', ...argv]);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed.options as CompatOptions;
}

describe('bgprobe compat options', () => {
  it('has defaults for the whole suite on the local Chromium', async () => {
    const o = await compatOptions([]);
    expect(o).toMatchObject({
      out: 'bgprobe-report',
      formats: ['html', 'json', 'md', 'junit'],
      workers: DEFAULT_WORKERS,
      timeout: 30_000,
      failOn: ['errors'],
      shard: null,
      baseline: null,
      durations: null,
    });
    // 3 per core: the default scales with the machine.
    expect([1, 2, 4, 8].map(defaultWorkers)).toEqual([3, 6, 12, 16]);
    expect(o.browsers).toEqual([{ label: 'chromium', kind: 'default', target: null, args: [] }]);
  });

  it('pairs browsers, args and labels; takes flags as values in the = form', async () => {
    const o = await compatOptions([
      '--browser',
      '/usr/bin/chromium',
      '--browser',
      '/usr/bin/chromium',
      '--browser-args=',
      '--browser-args=--disable-blink-features=BackgroundFetch',
      '--label',
      'on',
      '--label',
      'off',
    ]);
    expect(o.browsers.map((b) => [b.label, b.args])).toEqual([
      ['on', []],
      ['off', ['--disable-blink-features=BackgroundFetch']],
    ]);
  });

  it('refuses bad input with a UsageError', async () => {
    await expect(compatOptions(['--format', 'pdf'])).rejects.toThrow(/Unknown report format "pdf"/);
    await expect(compatOptions(['--shard', '3/2'])).rejects.toThrow(/--shard "3\/2"/);
    await expect(compatOptions(['--fail-on', 'regressions'])).rejects.toThrow(/needs --baseline/);
    await expect(compatOptions(['--fail-on', 'sometimes'])).rejects.toThrow(/Unknown --fail-on/);
    await expect(compatOptions(['--workers', '0'])).rejects.toThrow(/--workers/);
    await expect(compatOptions(['--timeout', '-1'])).rejects.toThrow(/--timeout/);
    expect(await compatOptions([])).toMatchObject({ retries: 1, repeat: 1 });
    expect(await compatOptions(['--retries', '0', '--repeat', '5', '--fail-on', 'flaky'])).toMatchObject({
      retries: 0,
      repeat: 5,
      failOn: ['flaky'],
    });
    await expect(compatOptions(['--retries', '-1'])).rejects.toThrow(/^--retries must be a whole number of at least 0, got "-1"\.$/);
    await expect(compatOptions(['--repeat', '0'])).rejects.toThrow(/^--repeat must be a whole number of at least 1, got "0"\.$/);
  });
});

describe('exit codes', () => {
  const dev = model([result('a', 'c', 'conforms'), result('b', 'c', 'deviates')]);
  const err = model([result('a', 'c', 'error')]);
  it('deviations are not failures by default', () => {
    expect(exitCodeFor(dev, ['errors'])).toBe(0);
    expect(exitCodeFor(dev, ['deviates'])).toBe(1);
    expect(exitCodeFor(err, ['errors'])).toBe(1);
  });
  it('regressions need a comparison that found one; interrupted wins', () => {
    expect(exitCodeFor({ ...dev, comparison: { baseline: 'x', changes: [], regressions: 1 } }, ['regressions'])).toBe(1);
    expect(exitCodeFor({ ...dev, comparison: { baseline: 'x', changes: [], regressions: 0 } }, ['regressions'])).toBe(0);
    expect(exitCodeFor({ ...err, run: { ...err.run, interrupted: true } }, ['errors'])).toBe(130);
  });
  it('--fail-on flaky: a verdict that needed a retry fails the run only when asked', () => {
    const flaky = model([result('a', 'c', 'conforms', { flaky: true })]);
    flaky.summary = countVerdicts(flaky.results);
    expect(exitCodeFor(flaky, ['errors'])).toBe(0);
    expect(exitCodeFor(flaky, ['errors', 'flaky'])).toBe(1);
    expect(exitCodeFor(dev, ['flaky'])).toBe(0);
  });
});

describe('the summary compat and merge print', () => {
  it('counts verdicts per browser in aligned columns', () => {
    const m = model([result('a', 'on', 'conforms'), result('b', 'on', 'deviates'), result('a', 'off', 'unsupported')], ['on', 'off']);
    expect(summaryLines(m)).toEqual([
      '',
      'browser  conforms  deviates  unsupported  not-automatable  error  skipped  total',
      'on              1         1            0                0      0        0      2',
      'off             0         0            1                0      0        0      1',
      '3 result(s) in 5.0 s',
    ]);
  });

  it('comes from the report view, so merge does not load the compat command (and the runner behind it)', () => {
    const merge = readFileSync(new URL('../../src/cli/commands/merge.ts', import.meta.url), 'utf8');
    expect(merge).not.toMatch(/from '\.\/compat\.js'/);
  });
});
