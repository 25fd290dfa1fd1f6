import { describe, expect, it } from 'vitest';
import { diffReports, isRegression } from '../../src/report/diff.js';
import { mergeReports } from '../../src/report/merge.js';
import { validateReport } from '../../src/report/model.js';
import { model, result } from './report-fixture.js';

describe('diff', () => {
  it('ranks verdict changes', () => {
    expect(isRegression('conforms', 'deviates')).toBe(true);
    expect(isRegression('deviates', 'error')).toBe(true);
    expect(isRegression('deviates', 'conforms')).toBe(false);
    expect(isRegression('conforms', 'skipped')).toBe(false);
  });

  it('finds regressions, improvements, observed changes, additions and removals', () => {
    const a = model([result('a', 'c', 'conforms'), result('b', 'c', 'deviates'), result('c', 'c', 'conforms'), result('gone', 'c', 'conforms')]);
    const b = model([
      result('a', 'c', 'deviates'),
      result('b', 'c', 'conforms'),
      result('c', 'c', 'conforms', { observation: { outcome: 'failure' } }),
      result('new', 'c', 'conforms'),
    ]);
    const d = diffReports(a, b, 'a.json');
    const kinds = Object.fromEntries(d.changes.map((c) => [c.scenarioId, c.kind]));
    expect(kinds).toEqual({ a: 'regression', b: 'improvement', c: 'changed', new: 'added', gone: 'removed' });
    expect(d.regressions).toBe(1);
    expect(d.changes.find((c) => c.scenarioId === 'c')!.observed[0]).toMatchObject({ path: 'outcome', from: '"success"', to: '"failure"' });
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
    const m = mergeReports([{ model: s1, source: '1' }, { model: s2, source: '2' }]);
    expect(m.results.map((r) => r.scenarioId)).toEqual(['api.exposure.window', 'fetch.success.one', 'failure.bad-status']);
    expect(m.summary.byVerdict.deviates).toBe(1);
    expect(m.run.mergedFrom).toEqual([{ index: 1, total: 2 }, { index: 2, total: 2 }]);
  });

  it('refuses overlapping shards', () => {
    const a = model([result('x', 'c', 'conforms')]);
    expect(() => mergeReports([{ model: a, source: 'a' }, { model: a, source: 'b' }])).toThrow(/overlap/);
  });
});

describe('loading', () => {
  it('refuses another schemaVersion with one clear line', () => {
    expect(() => validateReport({ schemaVersion: 99, browsers: [], scenarios: [], results: [] }, 'r.json')).toThrow(/schemaVersion 99; this bgprobe reads schemaVersion 1/);
    expect(() => validateReport([], 'r.json')).toThrow(/not a bgprobe report/);
  });
});
