// reports/report.schema.json against the reports the suite writes, the prose of SCHEMA.md and
// the messages a bad file gets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/load.js';
import { renderJson } from '../../src/report/json.js';
import { diffReports } from '../../src/report/diff.js';
import { mergeReports } from '../../src/report/merge.js';
import { buildReport, resolveCompatConfig } from '../../src/compat/run.js';
import { SCENARIOS, SKIPPED } from '../../src/scenarios/registry.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import { InputFormatError } from '../../src/errors.js';
import type { ReportModel } from '../../src/report/model.js';
import { evilModel, model, result } from './report-fixture.js';

const schema = JSON.parse(readFileSync('reports/report.schema.json', 'utf8')) as Record<string, unknown>;
const prose = readFileSync('reports/SCHEMA.md', 'utf8');

/** A report as written to disk and read back. */
const roundTrip = (m: unknown) => validateReport(JSON.parse(renderJson(m as never)), 'r.json');

describe('reports/report.schema.json', () => {
  it('is the schema generated from src/report/model.ts (scripts/gen-schema.mjs --check); a hand edit fails the check', () => {
    const check = (file?: string) =>
      spawnSync(process.execPath, ['scripts/gen-schema.mjs', '--check', ...(file ? [file] : [])], { encoding: 'utf8' });
    const committed = check();
    expect(committed.stderr).toBe('');
    expect(committed.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-schema-'));
    try {
      const edited = join(dir, 'report.schema.json');
      writeFileSync(edited, readFileSync('reports/report.schema.json', 'utf8').replace('"durationMs"', '"duration"'));
      const stale = check(edited);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('differs from the schema generated from src/report/model.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('accepts every fixture report the unit tests render, as written to disk', () => {
    const plain = model([
      result('a.b', 'chromium', 'conforms'),
      result('a.c', 'chromium', 'error', { error: { name: 'Error', message: 'x', stack: null } }),
    ]);
    const evil = evilModel();
    const compared = { ...plain, comparison: diffReports(evil, plain, 'base.json') };
    const merged = mergeReports([{ model: plain, source: 'p' }]);
    for (const m of [plain, evil, compared, merged]) expect(roundTrip(m)).toEqual(JSON.parse(renderJson(m)));
  });

  it("accepts a report built from a run by the suite's own mapping (crashes, skip list, launches, attempts)", () => {
    const crash = { at: 1_700_000_000_500, lastWords: 'FATAL x' };
    const lostAttempt = {
      run: 1,
      retry: false,
      verdict: 'error' as const,
      summary: 'BrowserLostError: x',
      startedAt: 1,
      durationMs: 1,
      took: null,
      observation: null,
      evidence: emptyEvidence(),
      error: null,
      browserLost: { fatal: 'FATAL x' },
    };
    const run = {
      startedAt: 1_700_000_000_000,
      durationMs: 10,
      interrupted: false,
      browsers: [
        {
          spec: { label: 'chromium', kind: 'default' as const, target: null, args: [] },
          version: '156',
          launches: 2,
          crashes: [crash],
          launchError: null,
        },
      ],
      results: [
        {
          scenarioId: SCENARIOS[0].id,
          browser: 'chromium',
          verdict: 'conforms' as const,
          summary: 's',
          startedAt: 1,
          durationMs: 2,
          observation: { ok: true },
          evidence: emptyEvidence(),
          error: null,
          took: { outcome: 'success', ms: 2_000 },
          flaky: true,
          attempts: [lostAttempt, { ...lostAttempt, retry: true, verdict: 'conforms' as const, summary: 's', browserLost: null }],
        },
      ],
    };
    const config = {
      ...resolveCompatConfig({ shard: { index: 1, total: 2 }, workers: 3, timeout: 30_000, retries: 1, repeat: 1 }),
      selected: { scenarios: SCENARIOS.slice(0, 1), skipped: [...SKIPPED] },
    };
    const report = buildReport(run, config);
    expect(roundTrip(report).browsers[0].crashes).toEqual([crash]);
    expect(roundTrip(report).run.command).toBe('compat');
    // A retry after a lost browser: the attempts, the flaky mark and the time, as written.
    expect(roundTrip(report).results[0]).toMatchObject({
      flaky: true,
      took: { outcome: 'success', ms: 2_000 },
      attempts: [{ browserLost: { fatal: 'FATAL x' } }, { retry: true, browserLost: null }],
    });
    expect(roundTrip(report).summary.flaky).toEqual({ total: 1, reasons: [{ reason: 'browser crash: FATAL x', count: 1 }] });
  });

  it('names the field and says what to do when a report is ill-typed', () => {
    // Each case spoils a copy of a written report in place (Object.assign: the value is not a report's any more).
    const m = JSON.parse(renderJson(model([result('a.b', 'chromium', 'conforms')]))) as ReportModel;
    const cases: Array<[(r: ReportModel) => void, RegExp]> = [
      [
        (r) => Object.assign(r, { run: null }),
        /^r\.json: run should be an object, got null\. Give a report\.json written by bgprobe compat \(or merge\)\.$/,
      ],
      [(r) => Object.assign(r.results[0], { verdict: 'fine' }), /results\[0\]\.verdict should be one of "conforms", .*, got "fine"\./],
      [(r) => Reflect.deleteProperty(r.results[0].evidence, 'notes'), /results\[0\]\.evidence\.notes is missing\./],
      [(r) => Object.assign(r.results[0].evidence, { fetches: [{}] }), /results\[0\]\.evidence\.fetches\[0\]\.\w+ is missing\./],
      [(r) => Object.assign(r.summary.byVerdict, { error: '0' }), /summary\.byVerdict\.error should be a number, got string\./],
      [(r) => Object.assign(r.tool, { name: 'other' }), /tool\.name should be "bgprobe", got "other"\./],
    ];
    for (const [spoil, message] of cases) {
      const bad = structuredClone(m);
      spoil(bad);
      const error = (() => {
        try {
          validateReport(bad, 'r.json');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(InputFormatError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('names in SCHEMA.md every field it checks (the prose and the schema kept in step)', () => {
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      if (props) for (const k of Object.keys(props)) names.add(k);
      for (const v of Object.values(node)) walk(v);
    };
    walk(schema);
    // A field the prose groups with another (`startedAt`, `durationMs`) still appears in backticks.
    expect([...names].filter((n) => !prose.includes(`\`${n}\``) && !prose.includes(`${n},`) && !prose.includes(` ${n} `))).toEqual([]);
    expect(prose).toContain('report.schema.json');
  });
});
