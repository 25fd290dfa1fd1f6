import { describe, expect, it } from 'vitest';
import { jsonInScript } from '../../src/report/escape.js';
import { EVENTS_ISLAND_MIN, FETCHES_LATER_MIN, renderHtml } from '../../src/report/html.js';
import type { EventRow } from '../../src/report/model.js';
import { emptyEvidence, type FetchEvidence } from '../../src/evidence/evidence.js';
import { EVIL, model, result } from './report-fixture.js';

const ISLAND_OPEN = '<script type="application/json" class="events-island">';

/** What an HTML parser takes as the island's text: up to the first `</script` (case-insensitive). */
function islands(html: string): string[] {
  const out: string[] = [];
  for (let at = html.indexOf(ISLAND_OPEN); at !== -1; at = html.indexOf(ISLAND_OPEN, at + 1)) {
    const from = at + ISLAND_OPEN.length;
    out.push(html.slice(from, html.toLowerCase().indexOf('</script', from)));
  }
  return out;
}

function events(n: number, title = 'Podcast'): EventRow[] {
  return Array.from({ length: n }, (_, i) => ({
    at: 1_700_000_000_000 + i,
    service: 'backgroundFetch',
    name: 'Background Fetch started',
    origin: 'http://127.0.0.1:8080/',
    storageKey: null,
    registrationId: '7',
    instanceId: `episode-${i}`,
    metadata: [
      ['Title', i === n - 1 ? title : 'Podcast'],
      ['Total Downloads', '2'],
    ],
  }));
}

function reportWith(n: number, title?: string): string {
  const evidence = emptyEvidence();
  evidence.events = events(n, title);
  return renderHtml(model([result('fetch.big', 'chromium', 'conforms', { evidence })]));
}

describe('jsonInScript', () => {
  const nasty = 'a</script><script>window.pwned=1</script><!--<script>b\u2028c\u2029d&e>f</SCRIPT >';

  it('leaves no character that can end or re-state a script element, nor U+2028/U+2029', () => {
    const out = jsonInScript({ nasty, list: [nasty] });
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out).toContain('\\u003c/script\\u003e');
    expect(out).toContain('\\u003c!--');
    expect(out).toContain('\\u2028');
    expect(out).toContain('\\u2029');
  });

  it('means the same value to JSON.parse', () => {
    const value = { nasty, n: 1, lone: '\ud800x', list: [nasty, null, true] };
    expect(JSON.parse(jsonInScript(value))).toEqual(value);
  });
});

describe('events tables', () => {
  it(`stay plain rows below ${EVENTS_ISLAND_MIN} events`, () => {
    const html = reportWith(EVENTS_ISLAND_MIN - 1);
    expect(islands(html)).toEqual([]);
    expect(html).toContain('<table class="events small">');
    expect(html).toContain('<code>episode-0</code>');
    expect(html).toContain(`<code>episode-${EVENTS_ISLAND_MIN - 2}</code>`);
  });

  it(`become a JSON island from ${EVENTS_ISLAND_MIN} events, every row in it and none as HTML`, () => {
    const html = reportWith(EVENTS_ISLAND_MIN);
    expect(html).toContain(`<table class="events small" data-island="${EVENTS_ISLAND_MIN}">`);
    expect(html).not.toContain('<code>episode-0</code>');
    const [island, ...more] = islands(html);
    expect(more).toEqual([]);
    const rows = JSON.parse(island) as unknown[][];
    expect(rows).toHaveLength(EVENTS_ISLAND_MIN);
    // The column order report.js draws: n, at, iso, name, service, origin, storageKey, registrationId, instanceId, metadata.
    expect(rows[0]).toEqual([
      1,
      '+0.000',
      '2023-11-14T22:13:20.000Z',
      'Background Fetch started',
      'backgroundFetch',
      'http://127.0.0.1:8080/',
      '',
      '7',
      'episode-0',
      ['Title', 'Podcast', 'Total Downloads', '2'],
    ]);
  });

  it('carry a hostile string through the island as data, the page never seeing it as markup', () => {
    const hostile = `${EVIL}</script><script>window.pwned=1</script><!--<script>\u2028`;
    const html = reportWith(EVENTS_ISLAND_MIN + 1, hostile);
    expect(html).not.toContain('window.pwned=1</script>');
    expect(html).not.toContain('<img src=x');
    const rows = JSON.parse(islands(html)[0]) as unknown[][];
    expect(rows.at(-1)![9]).toEqual(['Title', hostile, 'Total Downloads', '2']);
  });
});

describe('fetch timelines', () => {
  function fetches(n: number): FetchEvidence[] {
    return Array.from({ length: n }, (_, i) => ({
      id: i === n - 1 ? EVIL : `episode-${i}`,
      outcome: 'success',
      failureReason: null,
      failureReasonRaw: null,
      eventType: 'BackgroundFetchSuccessEvent',
      paused: false,
      totalRequests: 1,
      resumedAfterRestart: false,
      registeredAt: 1_700_000_000_000,
      startedAt: 1_700_000_000_000,
      completedAt: 1_700_000_000_400,
      requests: [
        {
          index: 0,
          url: 'http://127.0.0.1:8080/a',
          status: 200,
          bytes: 10,
          uploadBytes: 0,
          startedAt: 1_700_000_000_100,
          completedAt: 1_700_000_000_300,
          attempts: 1,
          served: [],
        },
      ],
      progress: [[1_700_000_000_200, 10, 10, 0, 0]],
      probes: [],
    }));
  }
  function reportWithFetches(n: number): string {
    const evidence = emptyEvidence();
    evidence.fetches = fetches(n);
    return renderHtml(model([result('fetch.many', 'chromium', 'conforms', { evidence })]));
  }
  const templated = (html: string) => [...html.matchAll(/<template class="later">([\s\S]*?)<\/template>/g)].map((m) => m[1]);

  it(`stay in the page below ${FETCHES_LATER_MIN} fetches`, () => {
    const html = reportWithFetches(FETCHES_LATER_MIN - 1);
    expect(templated(html)).toEqual([]);
    expect(html.split('<div class="fetch">')).toHaveLength(FETCHES_LATER_MIN);
  });

  it(`go into templates of 20 from ${FETCHES_LATER_MIN} fetches, escaped as the page is`, () => {
    const html = reportWithFetches(FETCHES_LATER_MIN * 2 + 1);
    const blocks = templated(html);
    expect(blocks.map((b) => b.split('<div class="fetch">').length - 1)).toEqual([20, 20, 1]);
    expect(html.split('<div class="fetch">').length - 1).toBe(FETCHES_LATER_MIN * 2 + 1);
    expect(html).toContain('<div class="later" data-fetches="20">');
    expect(blocks[2]).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
  });
});
