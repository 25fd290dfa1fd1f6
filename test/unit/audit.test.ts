// bgprobe audit's pure parts: its flags, the text of a worker event that no listener handled,
// and its results as JSON and as a report model the renderers take.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse.js';
import type { AuditOptions } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';
import { formatTimeline } from '../../src/recorder/format.js';
import { TimelineStore } from '../../src/recorder/timeline.js';
import { normaliseEvent } from '../../src/recorder/normalise.js';
import { auditJson, auditReport, type AuditRun } from '../../src/audit/report.js';
import { render } from '../../src/report/write.js';
import type { ProbeRecord } from '../../src/probes/types.js';

async function audit(argv: string[]): Promise<AuditOptions> {
  const parsed = await parseArgs(['audit', ...argv]);
  if (parsed.kind !== 'run' || parsed.spec.name !== 'audit') throw new Error(`not an audit run: ${parsed.kind}`);
  return parsed.options as AuditOptions;
}

describe('audit flags', () => {
  it('defaults, repeated --click in order, --fail-on', async () => {
    const o = await audit(['http://127.0.0.1:1/app/', '--click', '#a', '--click', 'text=B', '--fail-on', 'warning']);
    expect(o).toMatchObject({
      url: 'http://127.0.0.1:1/app/',
      clicks: ['#a', 'text=B'],
      timeout: 60_000,
      headless: true,
      json: false,
      failOn: 'warning',
      endpoint: null,
      script: null,
    });
  });

  it('refuses what cannot work, saying what to do', async () => {
    await expect(parseArgs(['audit'])).rejects.toThrow(/Give the app's URL/);
    await expect(parseArgs(['audit', 'ftp://x/'])).rejects.toThrow(UsageError);
    await expect(parseArgs(['audit', 'http://127.0.0.1:1/', '--fail-on', 'fatal'])).rejects.toThrow(UsageError);
    await expect(parseArgs(['audit', 'http://127.0.0.1:1/', '--duration', '5'])).rejects.toThrow(/--duration is for --endpoint/);
    await expect(parseArgs(['audit', 'http://127.0.0.1:1/', '--script', '/no/such/file.mjs'])).rejects.toThrow(/no such file/);
    await expect(parseArgs(['audit', '--endpoint', 'http://127.0.0.1:9222', '--click', '#a'])).rejects.toThrow(
      /you click in the browser yourself/,
    );
  });
});

const T0 = 1_700_000_000_000;
const ORIGIN = 'http://127.0.0.1:5/';
function store(probes: ProbeRecord[]): TimelineStore {
  const s = new TimelineStore();
  const ev = (name: string, at: number, meta: Array<[string, string]> = []) =>
    s.add(
      normaliseEvent({
        timestamp: at / 1000,
        origin: ORIGIN,
        serviceWorkerRegistrationId: '1',
        service: 'backgroundFetch',
        eventName: name,
        instanceId: 'ep',
        eventMetadata: meta.map(([key, value]) => ({ key, value })),
        storageKey: ORIGIN,
      }),
    );
  ev('Background Fetch registered', T0, [['Total Requests', '1']]);
  ev('Background Fetch completed', T0 + 100, [
    ['Event Type', 'BackgroundFetchFailEvent'],
    ['Failure Reason', 'BAD_STATUS'],
  ]);
  for (const p of probes) s.addProbe(p);
  return s;
}
const w = { id: 'ep', origin: 'http://127.0.0.1:5', context: 'worker' as const };
const failEvent = (listeners: number | null): ProbeRecord => ({
  ...w,
  kind: 'sw-event',
  at: T0 + 110,
  type: 'backgroundfetchfail',
  result: 'failure',
  failureReason: 'bad-status',
  downloaded: 10,
  downloadTotal: 0,
  uploaded: 0,
  uploadTotal: 0,
  recordsAvailable: true,
  listeners,
});
const done: ProbeRecord = {
  ...w,
  kind: 'sw-event-done',
  at: T0 + 111,
  type: 'backgroundfetchfail',
  ok: true,
  extensions: 0,
  waitUntil: [],
};
const misspelled: ProbeRecord = {
  ...w,
  id: '',
  kind: 'unknown-listener',
  at: T0 - 5_000,
  name: 'backgroundfetchfailure',
  via: 'addEventListener',
};

describe('a worker event no listener handled', () => {
  it('reads "no listener", never "handled in", and carries the findings', () => {
    const t = store([failEvent(0), done, misspelled]).all()[0];
    const text = formatTimeline(t);
    expect(text).toContain('backgroundfetchfail (result=failure, bad-status, 10 B, no listener: dispatched, nothing handled it)');
    expect(text).not.toContain('handled in');
    expect(text).toContain('listener for "backgroundfetchfailure" (addEventListener): not a Background Fetch event');
    expect(t.findings.map((f) => f.code)).toEqual(['no-listener', 'unknown-event-listener', 'request-failed']);
    expect(text).toMatch(/findings:\n {4}error {3}no-listener: /);
  });

  it('a listener that ran reads "handled in"; an uncounted one does not claim it', () => {
    expect(formatTimeline(store([failEvent(1), done]).all()[0])).toContain('1 listener, 0 waitUntil, handled in 1 ms');
    const unknown = formatTimeline(store([failEvent(null), done]).all()[0]);
    expect(unknown).toContain('listeners not counted');
    expect(unknown).not.toContain('handled in');
  });
});

describe('audit results', () => {
  const t = store([failEvent(0), done, misspelled]).all()[0];
  const run: AuditRun = {
    url: 'http://127.0.0.1:5/app/',
    browser: { label: 'chromium', target: null, version: '150', args: [] },
    startedAt: T0 - 1_000,
    durationMs: 5_000,
    interrupted: false,
    timeoutMs: 60_000,
    fetches: [t],
    events: [],
    steps: [],
    failOn: 'error',
    retried: [],
    flaky: false,
    retries: 1,
    runFindings: [
      {
        code: 'dialog-dismissed',
        severity: 'info',
        message: 'The page opened an alert dialog: "x".',
        evidence: { type: 'alert', message: 'x', at: T0 },
      },
    ],
  };

  it('JSON: { fetches: [{ id, origin, outcome, failureReason, findings }], findings }', () => {
    const j = auditJson(run);
    expect(j.fetches).toEqual([{ id: 'ep', origin: ORIGIN, outcome: 'failure', failureReason: 'bad-status', findings: t.findings }]);
    expect(j.findings.map((f) => [f.code, f.fetch])).toEqual([
      ['no-listener', 'ep'],
      ['unknown-event-listener', 'ep'],
      ['request-failed', 'ep'],
      ['dialog-dismissed', null],
    ]);
    expect(j.summary).toEqual({ error: 3, warning: 0, info: 1 });
  });

  it('a report model the renderers take: one result per fetch, findings in its evidence', () => {
    const model = auditReport(run);
    expect(model.run.command).toBe('audit');
    expect(model.results.map((r) => [r.scenarioId, r.verdict])).toEqual([
      ['audit.1.ep', 'deviates'],
      ['audit.run', 'conforms'],
    ]);
    const html = render(model, 'html');
    expect(html).toContain('unknown-event-listener');
    expect(html).toContain('Did you mean &quot;backgroundfetchfail&quot;?');
    expect((JSON.parse(render(model, 'json')) as typeof model).results[0].evidence.fetches[0].findings?.[0].code).toBe('no-listener');
  });

  it("a run re-run after its browser was lost: findings are the re-run's, every result is flaky with the lost run first", () => {
    const retried = [{ startedAt: T0 - 9_000, durationMs: 3_000, fatal: null, reason: 'browser disconnected' }];
    const model = auditReport({ ...run, retried, flaky: true });
    expect(model.results.map((r) => r.flaky)).toEqual([true, true]);
    expect(model.results[0].attempts.map((a) => [a.retry, a.verdict, a.browserLost])).toEqual([
      [false, 'error', { fatal: null }],
      [true, 'deviates', null],
    ]);
    expect(model.summary.flaky).toEqual({ total: 2, reasons: [{ reason: 'browser disconnected', count: 2 }] });
    expect(auditJson({ ...run, retried, flaky: true }).retried).toEqual(retried);
    expect(auditReport(run).results.map((r) => [r.flaky, r.attempts.length])).toEqual([
      [false, 0],
      [false, 0],
    ]);
  });
});
