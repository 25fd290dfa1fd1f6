/**
 * What a test attaches to its Playwright report: every timeline it recorded as JSON (for
 * `bgprobe/reporter`, `bgprobe report` and diffing), as text (readable in the terminal, the HTML
 * report and the trace viewer), and as a self-contained HTML timeline drawn by the report's own
 * renderer (src/report/html.ts: the event table, the progress chart, worker events, updateUI
 * calls, requests, findings), which Playwright's HTML report and trace viewer open as a page.
 *
 * When: `attach` takes Playwright's trace modes. The JSON also goes on whenever a reporter that
 * reads it runs (bgprobe/reporter, or blob for `merge-reports`), whatever the mode but 'off':
 * the suite-wide report needs every test, not only the failed ones.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { TestInfo } from '@playwright/test';
import { formatTimeline } from '../recorder/format.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import { renderHtml } from '../report/html.js';
import { playwrightReport, type TestData, type PlaywrightTestStatus } from './run-model.js';
import { toolVersion } from '../util/version.js';

export const TEXT_ATTACHMENT = 'bgprobe-timelines.txt';
export const JSON_ATTACHMENT = 'bgprobe-timelines.json';
export const HTML_ATTACHMENT = 'bgprobe-timeline.html';

/** The JSON attachment's shape (`{ version: 1, timelines, otherEvents, ... }`). */
export type TimelinesAttachment = TestData;

/** Playwright's trace modes: when a test's timelines are attached. */
export const ATTACH_MODES = ['on', 'off', 'retain-on-failure', 'on-first-retry'] as const;
export type AttachMode = (typeof ATTACH_MODES)[number];

/** `attach` wins; `attachOnFailure: false` (the old spelling) is 'off'; the default keeps failures. */
export function attachMode(options: { attach?: AttachMode; attachOnFailure?: boolean }): AttachMode {
  if (options.attach !== undefined) {
    if (!(ATTACH_MODES as readonly string[]).includes(options.attach)) {
      throw new TypeError(
        `bgprobe: attach must be one of ${ATTACH_MODES.map((m) => `'${m}'`).join(', ')}; got ${JSON.stringify(options.attach)}.`,
      );
    }
    return options.attach;
  }
  return options.attachOnFailure === false ? 'off' : 'retain-on-failure';
}

type Outcome = Pick<TestInfo, 'status' | 'expectedStatus' | 'retry'>;

/** Does this attempt keep its text and HTML timelines? */
export function keepsTimelines(mode: AttachMode, t: Outcome): boolean {
  if (mode === 'on') return true;
  if (mode === 'on-first-retry') return t.retry === 1;
  if (mode === 'retain-on-failure') return t.status !== t.expectedStatus && t.status !== 'skipped';
  return false;
}

/** A reporter in this run reads the JSON of every test: bgprobe's own, or blob (the data of `merge-reports`). */
export function reporterWantsData(config: Pick<TestInfo['config'], 'reporter'>): boolean {
  return config.reporter.some(
    ([name]) =>
      name === 'blob' ||
      /bgprobe[\\/](?:dist[\\/]playwright[\\/]reporter\.js|reporter)$/.test(name) ||
      /[\\/]playwright[\\/]reporter\.[jt]s$/.test(name),
  );
}

export function timelinesText(timelines: readonly FetchTimeline[], otherEvents: readonly NormalisedEvent[]): string {
  const parts = timelines.map((t) => formatTimeline(t, { maxLines: 200 }));
  if (parts.length === 0) parts.push('No background fetch was recorded in this test (no "Background Fetch registered" event).');
  if (otherEvents.length) {
    const t0 = otherEvents[0].at;
    parts.push(
      [
        'Other background service events:',
        ...otherEvents.map((e) => `  +${((e.at - t0) / 1000).toFixed(3)}s  ${e.service} ${e.name} [${e.instanceId}]`),
      ].join('\n'),
    );
  }
  return parts.join('\n\n') + '\n';
}

/** The test's own page: a one-test bgprobe report of this attempt. */
export function timelineHtml(
  testInfo: Pick<
    TestInfo,
    'titlePath' | 'title' | 'file' | 'line' | 'column' | 'project' | 'status' | 'expectedStatus' | 'retry' | 'duration' | 'errors'
  >,
  data: TestData,
  startedAt: number,
): string {
  const status: PlaywrightTestStatus = testInfo.status ?? 'passed';
  const file = testInfo.titlePath[0] ?? testInfo.file;
  const error = testInfo.errors[0];
  const model = playwrightReport(
    [
      {
        id: testInfo.titlePath.join(' › '),
        title: testInfo.title,
        project: testInfo.project.name || 'default',
        location: { file, line: testInfo.line, column: testInfo.column },
        expectedStatus: testInfo.expectedStatus,
        attempts: [
          {
            retry: testInfo.retry,
            status,
            startedAt,
            durationMs: Date.now() - startedAt,
            error: error ? { message: error.message ?? '', stack: error.stack ?? null } : null,
            data,
          },
        ],
      },
    ],
    {
      startedAt,
      durationMs: Date.now() - startedAt,
      interrupted: false,
      shard: null,
      mergedFrom: [],
      workers: 1,
      timeoutMs: 0,
      retries: 0,
      toolVersion: toolVersion(),
    },
  );
  return renderHtml(model);
}

/**
 * Past these sizes an attachment is packed: the JSON gzip-compressed (`bgprobe-timelines.json.gz`),
 * the HTML as a small page that unpacks the same report page (gzip, base64) with the browser's
 * DecompressionStream, the text cut. A 1,000-event fetch is about 1.1 MB of JSON and 440 KB of
 * HTML, 37 KB and 38 KB packed (bench: reporter rows); a test of a few fetches stays plain.
 */
export const PLAIN_JSON_MAX = 64 * 1024;
export const PLAIN_HTML_MAX = 96 * 1024;
export const TEXT_MAX = 64 * 1024;

/** The JSON attachment: plain up to PLAIN_JSON_MAX, gzip past it. decodeData reads both. */
export function encodeData(data: TestData): { name: string; body: Buffer; contentType: string } {
  const json = Buffer.from(JSON.stringify(data));
  if (json.length <= PLAIN_JSON_MAX) return { name: JSON_ATTACHMENT, body: json, contentType: 'application/json' };
  return { name: `${JSON_ATTACHMENT}.gz`, body: gzipSync(json), contentType: 'application/gzip' };
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * A large report page as a small one: the page gzip-compressed in a data element, and a script
 * that unpacks it and writes it over itself. The written page keeps this page's CSP (document.open
 * does not replace it), so that CSP allows the report's own script by its hash beside this one's.
 */
export function packedHtml(html: string): string {
  if (Buffer.byteLength(html) <= PLAIN_HTML_MAX) return html;
  const inner = /<script>([\s\S]*?)<\/script>\s*<\/body>/.exec(html)?.[1] ?? '';
  const unpack =
    "(async()=>{const b=atob(document.getElementById('packed').textContent.trim());const u=Uint8Array.from(b,(c)=>c.charCodeAt(0));" +
    "const t=await new Response(new Response(u).body.pipeThrough(new DecompressionStream('gzip'))).text();document.open();document.write(t);document.close();})();";
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${sha256(unpack)} ${sha256(inner)}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<title>bgprobe timeline</title></head><body>',
    '<p>Unpacking the bgprobe timeline (it needs script; the JSON attachment holds the same data).</p>',
    `<script type="application/octet-stream" id="packed">${gzipSync(html).toString('base64')}</script>`,
    `<script>${unpack}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** The text attachment, cut at TEXT_MAX on a line boundary. */
export function cappedText(text: string): string {
  if (Buffer.byteLength(text) <= TEXT_MAX) return text;
  const cut = text.slice(0, TEXT_MAX);
  return `${cut.slice(0, cut.lastIndexOf('\n') + 1)}... cut at ${TEXT_MAX / 1024} KB: the JSON and HTML attachments hold everything.\n`;
}

export interface AttachInput {
  data: TestData;
  /** Attach the text and the HTML timeline too. */
  timelines: boolean;
  startedAt: number;
}

export async function attachTimelines(testInfo: TestInfo, { data, timelines, startedAt }: AttachInput): Promise<void> {
  if (timelines) {
    // A file, not a body: Playwright's HTML report inlines a text body but links a file, which
    // then opens as a page of its own (its script allowed by the page's CSP hash).
    const path = testInfo.outputPath(HTML_ATTACHMENT);
    await writeFile(path, packedHtml(timelineHtml(testInfo, data, startedAt)));
    await testInfo.attach(HTML_ATTACHMENT, { path, contentType: 'text/html' });
    await testInfo.attach(TEXT_ATTACHMENT, {
      body: cappedText(timelinesText(data.timelines, data.otherEvents)),
      contentType: 'text/plain',
    });
  }
  const json = encodeData(data);
  await testInfo.attach(json.name, { body: json.body, contentType: json.contentType });
}
