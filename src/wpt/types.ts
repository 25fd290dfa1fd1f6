/** What a WPT run produces: wptrunner's statuses, plus bgprobe's evidence per test file. */
import type { Evidence } from '../scenarios/evidence.js';

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
}

export interface WptRun {
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  browser: { label: string; executablePath: string; version: string | null; args: string[] };
  timeoutMultiplier: number;
  workers: number;
  shard: { index: number; total: number } | null;
  selection: string[];
  /** Why https on port 443 is not answered, or null when it is. */
  port443: string | null;
  results: WptTestResult[];
}
