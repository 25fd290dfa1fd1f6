// A ReportModel built by hand, full of untrusted strings, for the renderer/diff/merge tests.
import type { ReportModel, ReportResult } from '../../src/report/model.js';
import { countVerdicts } from '../../src/report/model.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import type { Verdict } from '../../src/scenarios/types.js';

export const EVIL = '<img src=x onerror=alert(1)> ]]> & "quotes" \u0001\u0008 | *bold* `code` [link](javascript:alert(1))';

export function result(scenarioId: string, browser: string, verdict: Verdict, extra: Partial<ReportResult> = {}): ReportResult {
  return {
    scenarioId,
    browser,
    verdict,
    summary: `${verdict} ${EVIL}`,
    startedAt: 1_700_000_000_000,
    durationMs: 1234,
    observation: { outcome: 'success', title: EVIL },
    evidence: emptyEvidence(),
    error: null,
    took: null,
    flaky: false,
    attempts: [],
    ...extra,
  };
}

export function model(results: ReportResult[], browsers = ['chromium']): ReportModel {
  const ids = [...new Set(results.map((r) => r.scenarioId))];
  return {
    schemaVersion: 1,
    tool: { name: 'bgprobe', version: '0.1.0' },
    run: {
      startedAt: 1_700_000_000_000,
      durationMs: 5000,
      interrupted: false,
      shard: null,
      mergedFrom: [],
      selection: [],
      workers: 1,
      timeoutMs: 30000,
    },
    browsers: browsers.map((label) => ({ label, kind: 'default', target: null, args: [], version: '150.0', launchError: null })),
    scenarios: ids.map((id) => ({
      id,
      title: `Title of ${id}`,
      group: id.split('.')[0],
      expectation: 'Expected',
      link: 'https://wicg.github.io/background-fetch/',
      skipReason: null,
    })),
    results,
    summary: countVerdicts(results),
    comparison: null,
  };
}

/** One result whose every evidence string is hostile. */
export function evilModel(): ReportModel {
  const ev = emptyEvidence();
  ev.notes.push(EVIL);
  ev.events.push({
    at: 1_700_000_000_100,
    service: 'backgroundFetch',
    name: EVIL,
    origin: EVIL,
    storageKey: EVIL,
    registrationId: '1',
    instanceId: EVIL,
    metadata: [['Title', EVIL]],
  });
  ev.server.push({
    method: 'GET',
    url: `http://127.0.0.1/${EVIL}`,
    status: 200,
    bytesSent: 10,
    bytesReceived: 0,
    cut: false,
    range: null,
    startedAt: 1_700_000_000_200,
    completedAt: 1_700_000_000_300,
  });
  ev.fetches.push({
    id: EVIL,
    outcome: 'success',
    failureReason: null,
    failureReasonRaw: null,
    eventType: EVIL,
    paused: false,
    totalRequests: 1,
    resumedAfterRestart: false,
    registeredAt: 1_700_000_000_100,
    startedAt: 1_700_000_000_100,
    completedAt: 1_700_000_000_400,
    requests: [
      {
        index: 0,
        url: EVIL,
        status: 200,
        bytes: 10,
        uploadBytes: 0,
        startedAt: 1_700_000_000_150,
        completedAt: 1_700_000_000_350,
        attempts: 1,
        served: [],
      },
    ],
    progress: [
      [1_700_000_000_200, 5, 10, 0, 0],
      [1_700_000_000_300, 10, 10, 0, 0],
    ],
    probes: [{ at: 1_700_000_000_390, kind: 'ui-update', context: 'worker', detail: { title: EVIL } }],
  });
  const m = model([
    result('fetch.evil', 'chromium', 'deviates', { evidence: ev }),
    result('fetch.err', 'chromium', 'error', { error: { name: 'Error', message: EVIL, stack: EVIL } }),
    result('fetch.fine', 'chromium', 'conforms'),
  ]);
  m.scenarios[0].title = EVIL;
  m.scenarios[0].link = 'javascript:alert(1)';
  m.browsers[0].label = 'chromium';
  return m;
}
