import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDiffCommand } from '../../src/cli/commands/diff.js';
import { describeComparison, diffReports, isRegression } from '../../src/report/diff.js';
import { renderJson } from '../../src/report/json.js';
import { mergeReports, missingShards } from '../../src/report/merge.js';
import { validateReport } from '../../src/report/load.js';
import { SCENARIOS, SKIPPED } from '../../src/scenarios/registry.js';
import { model, result } from './report-fixture.js';

describe('diff', () => {
  it('ranks verdict changes', () => {
    expect(isRegression('conforms', 'deviates')).toBe(true);
    expect(isRegression('deviates', 'error')).toBe(true);
    expect(isRegression('deviates', 'conforms')).toBe(false);
    expect(isRegression('conforms', 'skipped')).toBe(false);
  });

  it('finds regressions, improvements, observed changes, additions and removals', () => {
    const a = model([
      result('a', 'c', 'conforms'),
      result('b', 'c', 'deviates'),
      result('c', 'c', 'conforms'),
      result('gone', 'c', 'conforms'),
    ]);
    const b = model([
      result('a', 'c', 'deviates'),
      result('b', 'c', 'conforms'),
      result('c', 'c', 'conforms', { observation: { outcome: 'failure' } }),
      result('new', 'c', 'conforms'),
    ]);
    const d = diffReports(a, b, 'a.json');
    const kinds = Object.fromEntries(d.changes.map((c) => [c.scenarioId, c.kind]));
    expect(kinds).toEqual({ a: 'regression', b: 'improvement', c: 'changed', new: 'added', gone: 'removed' });
    // The worse verdict and the result that went missing.
    expect(d.regressions).toBe(2);
    expect(d.changes.find((c) => c.scenarioId === 'c')!.observed[0]).toMatchObject({ path: 'outcome', from: '"success"', to: '"failure"' });
  });

  it('a scenario that did not finish (no observation) is a verdict change, not a list of vanished fields', () => {
    const a = model([result('a', 'c', 'conforms')]);
    const b = model([result('a', 'c', 'error', { observation: null })]);
    const [change] = diffReports(a, b, 'a.json').changes;
    expect(change).toMatchObject({ kind: 'regression', from: 'conforms', to: 'error', observed: [] });
    expect(describeComparison(diffReports(a, b, 'a.json')).join('\n')).not.toMatch(/\(absent\)|\(value\)/);
  });

  it('a result missing from the newer report counts as a regression; a dropped skip entry does not', () => {
    const full = model([result('a', 'c', 'conforms'), result('b', 'c', 'deviates'), result('s', 'c', 'skipped')]);
    const partial = model([result('a', 'c', 'conforms')]);
    const d = diffReports(full, partial, 'full.json');
    expect(d.changes.map((c) => [c.scenarioId, c.kind])).toEqual([
      ['b', 'removed'],
      ['s', 'removed'],
    ]);
    expect(d.regressions).toBe(1);
    expect(describeComparison(d).slice(0, 2)).toEqual([
      '2 change(s) against full.json, 1 regression(s):',
      '  1 result(s) of the baseline are missing (the scenario did not run): each counts as a regression.',
    ]);
  });

  it('bgprobe diff full.json interrupted.json exits 1 and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-diff-'));
    try {
      const full = model([result('a', 'c', 'conforms'), result('b', 'c', 'conforms')]);
      const interrupted = model([result('a', 'c', 'conforms')]);
      interrupted.run.interrupted = true;
      writeFileSync(join(dir, 'full.json'), renderJson(full));
      writeFileSync(join(dir, 'interrupted.json'), renderJson(interrupted));
      const out: string[] = [];
      const err: string[] = [];
      const ctx = {
        output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTTY: false, status: () => undefined },
        interrupt: { requested: false, promise: new Promise<void>(() => undefined), dispose: () => undefined },
        cwd: dir,
      };
      expect(await runDiffCommand({ a: 'full.json', b: 'interrupted.json', json: false }, ctx)).toBe(1);
      expect(out.join('\n')).toMatch(/removed\s+b \[c\]: conforms -> none/);
      expect(err).toEqual([
        'interrupted.json is the report of an interrupted run: scenarios it did not finish are missing, not passed. Exit 1.',
      ]);
      // Interrupted with nothing missing (the baseline covered less): still not a pass.
      expect(await runDiffCommand({ a: 'interrupted.json', b: 'interrupted.json', json: true }, ctx)).toBe(1);
      // The same complete report: nothing to flag.
      expect(await runDiffCommand({ a: 'full.json', b: 'full.json', json: false }, ctx)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the same report has no change', () => {
    const a = model([result('a', 'c', 'conforms')]);
    expect(diffReports(a, a, 'x').changes).toEqual([]);
  });
});

describe('merge', () => {
  it('unites shards in suite order and recounts', () => {
    const s1 = model([result('fetch.success.one', 'c', 'conforms'), result('failure.bad-status', 'c', 'conforms')]);
    const s2 = model([result('api.exposure.window', 'c', 'deviates')]);
    s1.run.shard = { index: 1, total: 2 };
    s2.run.shard = { index: 2, total: 2 };
    const m = mergeReports(
      [
        { model: s1, source: '1' },
        { model: s2, source: '2' },
      ],
      [...SCENARIOS, ...SKIPPED].map((s) => s.id),
    );
    expect(m.results.map((r) => r.scenarioId)).toEqual(['api.exposure.window', 'fetch.success.one', 'failure.bad-status']);
    expect(m.summary.byVerdict.deviates).toBe(1);
    expect(m.run.mergedFrom).toEqual([
      { index: 1, total: 2 },
      { index: 2, total: 2 },
    ]);
  });

  it("adds up the shards' launches and keeps every crash in time order (older reports have neither)", () => {
    const s1 = model([result('fetch.success.one', 'c', 'conforms')], ['c']);
    const s2 = model([result('api.exposure.window', 'c', 'error')], ['c']);
    const s3 = model([result('failure.bad-status', 'c', 'conforms')], ['c']);
    Object.assign(s1.browsers[0], { launches: 2, crashes: [{ at: 20, lastWords: 'FATAL b.cc:2: late' }] });
    Object.assign(s2.browsers[0], { launches: 2, crashes: [{ at: 10, lastWords: null }] });
    const m = mergeReports([s1, s2, s3].map((x, i) => ({ model: x, source: String(i) })));
    expect(m.browsers[0].launches).toBe(4);
    expect(m.browsers[0].crashes).toEqual([
      { at: 10, lastWords: null },
      { at: 20, lastWords: 'FATAL b.cc:2: late' },
    ]);
    // The input is not changed by the merge.
    expect(s1.browsers[0].crashes).toHaveLength(1);
  });

  it('names the shards of the run that are missing from a merge (and none for unsharded inputs)', () => {
    const shard = (index: number, total: number) => {
      const m = model([result(`s.${index}`, 'c', 'conforms')]);
      m.run.shard = { index, total };
      return { model: m, source: String(index) };
    };
    expect(missingShards(mergeReports([shard(1, 3), shard(3, 3)]))).toEqual(['2/3']);
    expect(missingShards(mergeReports([shard(1, 2), shard(2, 2)]))).toEqual([]);
    expect(missingShards(mergeReports([{ model: model([result('x', 'c', 'conforms')]), source: 'a' }, shard(1, 2)]))).toEqual([]);
  });

  it('refuses overlapping shards', () => {
    const a = model([result('x', 'c', 'conforms')]);
    expect(() =>
      mergeReports([
        { model: a, source: 'a' },
        { model: a, source: 'b' },
      ]),
    ).toThrow(/overlap/);
  });
});

describe('loading', () => {
  it('refuses another schemaVersion with one clear line', () => {
    expect(() => validateReport({ schemaVersion: 99, browsers: [], scenarios: [], results: [] }, 'r.json')).toThrow(
      /schemaVersion 99; this bgprobe reads schemaVersion 1/,
    );
    // The browsers' crash fields are checked when present (absent in older reports).
    const withCrashes = (crashes: unknown) => {
      const m = JSON.parse(renderJson(model([result('a', 'chromium', 'conforms')]))) as { browsers: Array<Record<string, unknown>> };
      m.browsers[0]['crashes'] = crashes;
      return m;
    };
    expect(() => validateReport(withCrashes([{ at: 1, lastWords: null }]), 'r.json')).not.toThrow();
    expect(() => validateReport(withCrashes([{ at: 'x', lastWords: null }]), 'r.json')).toThrow(
      /^r\.json: browsers\[0\]\.crashes\[0\]\.at should be a number, got string\. Give a report\.json written by bgprobe compat \(or merge\)\.$/,
    );
    expect(() => validateReport(withCrashes({}), 'r.json')).toThrow(/browsers\[0\]\.crashes should be an array/);
    // Some other JSON object is not called a report of another version.
    expect(() => validateReport({ a: 1 }, 'r.json')).toThrow(
      /^r\.json is not a bgprobe report: it has no schemaVersion\. Give a report\.json written by bgprobe compat/,
    );
    expect(() => validateReport([], 'r.json')).toThrow(/not a bgprobe report/);
  });
});
