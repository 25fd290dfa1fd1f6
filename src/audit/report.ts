/**
 * `bgprobe audit`'s results as data: the JSON it prints (`{ fetches, findings }`) and a
 * ReportModel, so `--out` goes through the same renderers as `compat` (one result per fetch,
 * its findings in the fetch's evidence).
 */
import type { Finding, Severity } from '../findings/index.js';
import { atLeast } from '../findings/index.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import { attemptOf, newReport, type ReportAttempt, type ReportModel, type ReportResult } from '../report/model.js';
import { emptyEvidence, eventRow, fetchEvidence, toJson, type StepRow } from '../evidence/evidence.js';

export interface AuditRun {
  url: string | null;
  browser: { label: string; target: string | null; version: string | null; args: string[] };
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  timeoutMs: number;
  fetches: FetchTimeline[];
  events: NormalisedEvent[];
  /** Findings tied to no fetch (a fetch() that registered nothing, a dialog, nothing started). */
  runFindings: Finding[];
  steps: StepRow[];
  failOn: Severity;
  /** Earlier runs of the audit that lost their browser, in order; empty when none did. */
  retried: LostAudit[];
  /** A re-run after the browser was lost gave these findings. */
  flaky: boolean;
  /** `--retries`: re-runs of the audit whose browser was lost (0 with --endpoint). */
  retries: number;
}

/** A run of the audit whose browser was lost (its process exited or its connection closed). */
export interface LostAudit {
  startedAt: number;
  durationMs: number;
  /** The browser's last FATAL line, when it left one. */
  fatal: string | null;
  /** `browser disconnected`, `browser crash: FATAL file.cc:42` (lossReason()). */
  reason: string;
}

/** A finding as the audit lists it: which fetch it is about (null: none). */
export type AuditFinding = Finding & { fetch: string | null };

export interface AuditJson {
  url: string | null;
  fetches: Array<{ id: string; origin: string; outcome: string; failureReason: string | null; findings: Finding[] }>;
  /** Every finding, those of the fetches first (each naming its fetch), then the others. */
  findings: AuditFinding[];
  summary: Record<Severity, number>;
  /** Earlier runs that lost their browser (the findings are the last run's); empty when none did. */
  retried: LostAudit[];
}

export function allFindings(run: Pick<AuditRun, 'fetches' | 'runFindings'>): AuditFinding[] {
  return [
    ...run.fetches.flatMap((t) => t.findings.map((f) => ({ ...f, fetch: t.id }))),
    ...run.runFindings.map((f) => ({ ...f, fetch: null })),
  ];
}

export function countSeverities(findings: readonly Finding[]): Record<Severity, number> {
  return {
    error: findings.filter((f) => f.severity === 'error').length,
    warning: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}

export function auditJson(run: AuditRun): AuditJson {
  const findings = allFindings(run);
  return {
    url: run.url,
    fetches: run.fetches.map((t) => ({
      id: t.id,
      origin: t.origin,
      outcome: t.outcome,
      failureReason: t.failureReason,
      findings: t.findings,
    })),
    findings,
    summary: countSeverities(findings),
    retried: run.retried,
  };
}

function verdictOf(findings: readonly Finding[], failOn: Severity): 'deviates' | 'conforms' {
  return findings.some((f) => atLeast(f, failOn)) ? 'deviates' : 'conforms';
}

function summaryOf(findings: readonly Finding[]): string {
  const c = countSeverities(findings);
  if (!findings.length) return 'No findings.';
  return `${c.error} error(s), ${c.warning} warning(s), ${c.info} info: ${findings[0].code}: ${findings[0].message}`;
}

/** One scenario per fetch (`audit.<id>`), plus `audit.run` for what no fetch holds. */
export function auditReport(run: AuditRun): ReportModel {
  const label = run.browser.label;
  const notes = run.runFindings.map((f) => `${f.severity} ${f.code}: ${f.message}`);
  const results: ReportResult[] = run.fetches.map((t, i) => fetchResult(run, t, i, notes));
  if (run.runFindings.length || !run.fetches.length) results.push(runResult(run, notes));
  // Every result is the last run's: the runs that lost their browser come before it.
  for (const r of results) Object.assign(r, withRetries(r, run));
  const scenarios = results.map((r) => ({
    id: r.scenarioId,
    title:
      r.scenarioId === 'audit.run'
        ? `The audit of ${run.url ?? 'the browser'}`
        : `Background fetch "${r.scenarioId.split('.').slice(2).join('.')}"`,
    group: 'audit',
    expectation: `No finding of severity ${run.failOn}${run.failOn === 'info' ? '' : ' or worse'}.`,
    link: run.url ?? '',
    skipReason: null,
  }));
  return newReport({
    run: {
      command: 'audit',
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: null,
      mergedFrom: [],
      selection: [],
      workers: 1,
      timeoutMs: run.timeoutMs,
      retries: run.retries,
    },
    browsers: [
      {
        label,
        kind: run.browser.target?.startsWith('ws') || run.browser.target?.startsWith('http') ? 'endpoint' : 'default',
        target: run.browser.target,
        args: run.browser.args,
        version: run.browser.version,
        launchError: null,
      },
    ],
    scenarios,
    results,
    comparison: null,
  });
}

/** A result's flaky mark and attempts: each run that lost its browser, then the result's own. */
function withRetries(r: ReportResult, run: AuditRun): Pick<ReportResult, 'flaky' | 'attempts'> {
  if (!run.retried.length) return { flaky: false, attempts: [] };
  const lost: ReportAttempt[] = run.retried.map((l) => ({
    run: 1,
    retry: false,
    verdict: 'error',
    summary: `The browser was lost during the audit (${l.reason}).`,
    startedAt: l.startedAt,
    durationMs: l.durationMs,
    took: null,
    observation: null,
    evidence: emptyEvidence(),
    error: { name: 'BrowserLostError', message: l.fatal ?? 'the browser disconnected during the audit', stack: null },
    browserLost: { fatal: l.fatal },
  }));
  lost.forEach((a, i) => (a.retry = i > 0));
  const own = attemptOf(r, 1, true, null);
  return { flaky: run.flaky, attempts: [...lost, own] };
}

/** The result of one fetch the audit saw (`audit.<n>.<id>`). */
function fetchResult(run: AuditRun, t: AuditRun['fetches'][number], i: number, notes: string[]): ReportResult {
  const evidence = {
    ...emptyEvidence(),
    fetches: [fetchEvidence(t)],
    events: run.events.filter((e) => e.instanceId === t.id).map(eventRow),
    steps: run.steps,
    notes,
  };
  return {
    scenarioId: `audit.${i + 1}.${t.id}`,
    browser: run.browser.label,
    verdict: verdictOf(t.findings, run.failOn),
    summary: summaryOf(t.findings),
    startedAt: t.registeredAt ?? run.startedAt,
    durationMs: (t.completedAt ?? run.startedAt + run.durationMs) - (t.registeredAt ?? run.startedAt),
    observation: { outcome: t.outcome, failureReason: t.failureReason, findings: t.findings.map((f) => f.code) },
    evidence,
    error: null,
    // No verdict of an audit is a time to an outcome.
    took: null,
    flaky: false,
    attempts: [],
  };
}

/** `audit.run`: what no fetch holds (the run's own findings, or that no fetch was seen). */
function runResult(run: AuditRun, notes: string[]): ReportResult {
  return {
    scenarioId: 'audit.run',
    browser: run.browser.label,
    verdict: verdictOf(run.runFindings, run.failOn),
    summary: summaryOf(run.runFindings),
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    observation: { findings: toJson(run.runFindings) },
    evidence: { ...emptyEvidence(), events: run.events.map(eventRow), steps: run.steps, notes },
    error: null,
    took: null,
    flaky: false,
    attempts: [],
  };
}
