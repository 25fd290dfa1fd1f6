/** What a WPT run produces: wptrunner's statuses, plus bgprobe's evidence per test file. */
import type { LostBrowser } from '../browsers/lost.js';
import type { EngineName } from '../browsers/types.js';
import type { Evidence } from '../evidence/evidence.js';
import type { FileTiming } from './timing.js';

export const HARNESS_STATUSES = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'] as const;
export const SUBTEST_STATUSES = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'] as const;
export type TestStatus = (typeof HARNESS_STATUSES)[number] | 'CRASH';
export type SubtestStatus = (typeof SUBTEST_STATUSES)[number];

export interface WptSubtest {
  name: string;
  status: SubtestStatus;
  message: string | null;
}

export interface WptTestResult {
  /** The test URL's path (and variant query): `/background-fetch/fetch.https.window.html`. */
  test: string;
  status: TestStatus;
  message: string | null;
  startedAt: number;
  durationMs: number;
  subtests: WptSubtest[];
  /** Every background fetch the test made (timelines), the BackgroundService events, the server's requests; subtests as steps. */
  evidence: Evidence;
  /** Where the file's time went (bgprobe's phases, the browser's waits); absent in results built elsewhere. */
  timing?: FileTiming;
  /** The Selenium Grid node it ran on (the node's URI, as the Grid's /status lists it); absent for a browser of this machine. */
  node?: string;
  /** Set when this run's browser was lost (its process exited or its connection closed): it may be re-run. */
  browserLost: LostBrowser | null;
  /** A re-run on a fresh browser, after the browser was lost, gave this result. */
  flaky: boolean;
  /** Every run of the file, in order, when it was re-run; empty otherwise. */
  attempts: WptAttempt[];
}

/** One run of a test file: the first, or a re-run after its browser was lost. */
export type WptAttempt = Omit<WptTestResult, 'flaky' | 'attempts'>;

export interface WptRun {
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  browser: {
    label: string;
    executablePath: string;
    version: string | null;
    args: string[];
    /** Absent in runs of earlier versions: chromium. */
    engine?: EngineName;
    /** `Chromium`, `Firefox ESR`, `WebKitGTK`. */
    product?: string;
    /** The Selenium Grid the browsers came from (`--grid`), its URL; absent for browsers of this machine. */
    grid?: string;
    /** Why the browser could not start at all (every file of this column is then an ERROR). */
    launchError?: string | null;
    /** How testdriver's set_permission reaches the browser, or why it cannot. */
    permissions?: string;
  };
  timeoutMultiplier: number;
  workers: number;
  /** Re-runs of a test file whose browser was lost. */
  retries: number;
  /** Browsers launched: one per run of a test file. */
  launches: number;
  shard: { index: number; total: number } | null;
  selection: string[];
  /** Why https on port 443 is not answered, or null when it is. */
  port443: string | null;
  results: WptTestResult[];
}
