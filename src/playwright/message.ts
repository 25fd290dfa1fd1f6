/**
 * The one formatter every bgprobe matcher message goes through, shaped like Playwright's own
 * (`matcherHint.ts`): a hint line, Expected / Received, the timeout when the matcher waited,
 * then what was gathered so far. A failure has to explain itself in CI logs and in the HTML
 * report without a rerun, so the timeline is always part of it.
 *
 * Plain text, no ANSI colours: the message is also what the unit tests and the package-user
 * test read back from a child process.
 */
import { formatTimeline } from '../recorder/format.js';
import type { FetchTimeline } from '../recorder/timeline.js';

export interface MatcherMessage {
  /** 'toSucceed' */
  matcher: string;
  /** Whether the matcher takes arguments: shown as `expected` in the hint, as Playwright does. */
  hasArgs?: boolean;
  isNot: boolean;
  /** Expected, without "not" (the formatter adds it). */
  expected: string;
  received: string;
  /** Set when the matcher polled until its deadline. */
  timeout?: number | null;
  /** Why the answer is what it is, when Expected/Received do not say it (e.g. still pending). */
  note?: string | null;
  /** The timeline so far; absent when nothing was recorded for the fetch. */
  timeline?: FetchTimeline | null;
  /** Shown instead of the timeline when there is none. */
  nothingRecorded?: string | null;
}

export function matcherHint(matcher: string, isNot: boolean, hasArgs = false): string {
  return `expect(received)${isNot ? '.not' : ''}.${matcher}(${hasArgs ? 'expected' : ''}) failed`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

export function formatMatcherMessage(m: MatcherMessage): string {
  const lines: string[] = [matcherHint(m.matcher, m.isNot, m.hasArgs), ''];
  lines.push(`Expected: ${m.isNot ? 'not ' : ''}${m.expected}`);
  lines.push(`Received: ${m.received}`);
  if (m.timeout !== undefined && m.timeout !== null) lines.push(`Timeout:  ${m.timeout} ms`);
  if (m.note) lines.push(`Note:     ${m.note}`);
  lines.push('');
  if (m.timeline) {
    lines.push('Timeline so far:');
    lines.push(indent(formatTimeline(m.timeline), '  '));
  } else {
    lines.push('Timeline so far:');
    lines.push(indent(m.nothingRecorded ?? 'Nothing was recorded for this fetch.', '  '));
  }
  return lines.join('\n');
}
