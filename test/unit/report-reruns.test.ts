// Retries (flaky), --repeat (unstable) and the time to the judged outcome, in every renderer
// and in diff: what CI systems and readers get from a run that needed a re-run.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { describeComparison, diffReports } from '../../src/report/diff.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { countVerdicts, lossReason, type ReportResult } from '../../src/report/model.js';
import { validateReport } from '../../src/report/load.js';
import { summaryLines } from '../../src/report/view.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import type { Attempt } from '../../src/compat/types.js';
import { model, result } from './report-fixture.js';

const FATAL = 'FATAL base/allocator/partition_alloc_support.cc:821: Detected dangling raw_ptr in unretained';

function attempt(run: number, retry: boolean, verdict: Attempt['verdict'], extra: Partial<Attempt> = {}): Attempt {
  return {
    run,
    retry,
    verdict,
    summary: `${verdict} summary`,
    startedAt: 1_700_000_000_000,
    durationMs: 2_000,
    took: null,
    observation: null,
    evidence: emptyEvidence(),
    error: null,
    browserLost: null,
    ...extra,
  };
}

const lost = attempt(1, false, 'error', {
  browserLost: { fatal: FATAL },
  summary: `BrowserLostError: the browser crashed during the scenario: ${FATAL}`,
  error: { name: 'BrowserLostError', message: 'lost', stack: null },
});
const flaky: ReportResult = result('fetch.success.one', 'chromium', 'conforms', {
  flaky: true,
  attempts: [lost, attempt(1, true, 'conforms')],
});
const unstable: ReportResult = result('failure.download-total-exceeded', 'chromium', 'unstable', {
  observation: null,
  attempts: [attempt(1, false, 'conforms'), attempt(2, false, 'deviates', { summary: 'Never completed' })],
});
const withSummary = (results: ReportResult[]) => ({ ...model(results), summary: countVerdicts(results) });

describe('flaky and unstable results', () => {
  it('the summary line says how many needed a retry, and why', () => {
    const m = withSummary([
      flaky,
      result('fetch.success.multi-request', 'chromium', 'conforms', { flaky: true, attempts: [lost, attempt(1, true, 'conforms')] }),
    ]);
    expect(m.summary.flaky).toEqual({ total: 2, reasons: [{ reason: 'browser crash: FATAL partition_alloc_support.cc:821', count: 2 }] });
    expect(summaryLines(m).at(-1)).toBe('2 flaky (browser crash: FATAL partition_alloc_support.cc:821)');
    expect(lossReason(null)).toBe('browser disconnected');
  });

  it('JUnit: a retry that passed carries <flakyError>, one that failed <rerunError>, an unstable result <flakyFailure> (Surefire)', () => {
    const failedAgain = result('abort.page', 'chromium', 'deviates', { attempts: [lost, attempt(1, true, 'deviates')] });
    const xml = renderJunit(withSummary([flaky, unstable, failedAgain]));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as {
      testsuites: { testsuite: { testcase: Array<Record<string, { '@type'?: string } | undefined>> } };
    };
    const [a, b, c] = doc.testsuites.testsuite.testcase;
    expect(a['flakyError']?.['@type']).toBe('BrowserLostError');
    expect(a['error']).toBeUndefined();
    expect(b['flakyFailure']?.['@type']).toBe('deviates');
    expect(b['skipped']).toBeUndefined();
    expect(c['failure']).toBeDefined();
    expect(c['rerunError']?.['@type']).toBe('BrowserLostError');
  });

  it('HTML and Markdown mark flaky results and list every attempt; JSON keeps attempts[] and reads back', () => {
    const m = withSummary([flaky, unstable]);
    const html = renderHtml(m);
    expect(html).toContain('class="flaky"');
    expect(html).toContain('run 1: error in 2.0 s (browser lost: FATAL base/allocator/partition_alloc_support.cc:821');
    expect(html).toContain('run 2: deviates in 2.0 s: Never completed');
    const md = renderMarkdown(m);
    expect(md).toContain('🔁 flaky');
    expect(md).toContain(String.raw`1 flaky \(browser crash\: FATAL partition\_alloc\_support.cc\:821\)`);
    expect(md).toMatch(/unstable/);
    const back = validateReport(JSON.parse(renderJson(m)), 'test');
    expect(back.results[0].attempts).toHaveLength(2);
    expect(back.results[1].verdict).toBe('unstable');
  });

  it('a report of an earlier bgprobe (no attempts, flaky, took, unstable count) reads as "ran once"', () => {
    const old = JSON.parse(renderJson(withSummary([result('x.y', 'chromium', 'conforms')]))) as {
      results: Array<Record<string, unknown>>;
      summary: { byVerdict: Record<string, number> };
    };
    for (const r of old.results) for (const k of ['attempts', 'flaky', 'took']) delete r[k];
    delete old.summary.byVerdict['unstable'];
    const back = validateReport(old, 'old.json');
    expect(back.results[0]).toMatchObject({ attempts: [], flaky: false, took: null });
    expect(back.summary.byVerdict.unstable).toBe(0);
  });
});

describe('diff', () => {
  it('an unstable result is neither a regression nor an improvement', () => {
    const before = model([result('a.b', 'chromium', 'conforms'), result('c.d', 'chromium', 'unstable')]);
    const after = model([result('a.b', 'chromium', 'unstable'), result('c.d', 'chromium', 'deviates')]);
    const c = diffReports(before, after, 'base.json');
    expect(c.regressions).toBe(0);
    expect(c.changes.map((x) => [x.scenarioId, x.kind])).toEqual([
      ['a.b', 'unstable'],
      ['c.d', 'unstable'],
    ]);
  });

  it('compares the time to the judged outcome without calling it a regression', () => {
    const took = (ms: number) => ({ outcome: 'download-total-exceeded', ms });
    const before = model([
      result('f.t', 'chromium', 'conforms', { took: took(2_000) }),
      result('f.u', 'chromium', 'conforms', { took: took(2_000) }),
    ]);
    const after = model([
      result('f.t', 'chromium', 'conforms', { took: took(11_400) }),
      result('f.u', 'chromium', 'conforms', { took: took(2_300) }),
    ]);
    const c = diffReports(before, after, 'base.json');
    expect(c.regressions).toBe(0);
    // 2.0 -> 2.3 s is jitter, not news.
    expect(c.changes.map((x) => x.scenarioId)).toEqual(['f.t']);
    expect(describeComparison(c)[1]).toBe(
      '  changed     f.t [chromium]: conforms -> conforms; took 2.0 s -> 11.4 s (download-total-exceeded)',
    );
  });
});
