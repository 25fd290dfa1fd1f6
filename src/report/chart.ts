/**
 * The progress chart of one background fetch, as inline SVG (the HTML report must need no
 * network and no script to show it): the page's `downloaded` over time as a line, and one lane
 * per request from "Request processing started" to "completed", labelled with its bytes.
 * Built here rather than in a template because it is arithmetic; every text goes through
 * htmlText.
 */
import type { FetchEvidence } from './model.js';
import { htmlText } from './escape.js';
import { bytes } from './view.js';

const W = 640;
const LANE = 14;
const PLOT_H = 120;
const PAD_L = 64;
const PAD_R = 12;

export function progressChart(f: FetchEvidence): string | null {
  const times: number[] = [];
  for (const p of f.progress) times.push(p[0]);
  for (const r of f.requests) {
    if (r.startedAt !== null) times.push(r.startedAt);
    if (r.completedAt !== null) times.push(r.completedAt);
  }
  if (f.registeredAt !== null) times.push(f.registeredAt);
  if (f.completedAt !== null) times.push(f.completedAt);
  if (times.length < 2 || (f.progress.length === 0 && f.requests.length === 0)) return null;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const maxBytes = Math.max(1, ...f.progress.map((p) => Math.max(p[1], p[2])));
  const x = (t: number) => PAD_L + ((t - t0) / (t1 - t0)) * (W - PAD_L - PAD_R);
  const y = (b: number) => 8 + PLOT_H - (b / maxBytes) * PLOT_H;
  const lanesTop = PLOT_H + 28;
  const H = lanesTop + f.requests.length * (LANE + 4) + 22;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${htmlText(`Progress of ${f.id}`)}">`,
  );
  parts.push(`<line x1="${PAD_L}" y1="${y(0)}" x2="${W - PAD_R}" y2="${y(0)}" class="axis"/>`);
  parts.push(`<line x1="${PAD_L}" y1="8" x2="${PAD_L}" y2="${y(0)}" class="axis"/>`);
  parts.push(`<text x="${PAD_L - 4}" y="14" class="tick" text-anchor="end">${htmlText(bytes(maxBytes))}</text>`);
  parts.push(`<text x="${PAD_L - 4}" y="${y(0)}" class="tick" text-anchor="end">0</text>`);
  parts.push(
    `<text x="${W - PAD_R}" y="${y(0) + 14}" class="tick" text-anchor="end">${htmlText(`+${((t1 - t0) / 1000).toFixed(2)} s`)}</text>`,
  );
  const total = f.progress.find((p) => p[2] > 0)?.[2];
  if (total)
    parts.push(
      `<line x1="${PAD_L}" y1="${y(total)}" x2="${W - PAD_R}" y2="${y(total)}" class="total"><title>downloadTotal ${htmlText(bytes(total))}</title></line>`,
    );
  if (f.progress.length) {
    // A step line: downloaded only changes at a progress event.
    let d = `M${x(f.progress[0][0]).toFixed(1)},${y(f.progress[0][1]).toFixed(1)}`;
    for (const p of f.progress.slice(1)) d += ` H${x(p[0]).toFixed(1)} V${y(p[1]).toFixed(1)}`;
    parts.push(`<path d="${d}" class="line"/>`);
    for (const p of f.progress)
      parts.push(
        `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2" class="dot"><title>${htmlText(`${bytes(p[1])} at +${((p[0] - t0) / 1000).toFixed(3)} s`)}</title></circle>`,
      );
  }
  f.requests.forEach((r, i) => {
    const top = lanesTop + i * (LANE + 4);
    const from = x(r.startedAt ?? t0);
    const to = x(r.completedAt ?? t1);
    const cls = r.completedAt === null ? 'lane open' : r.status !== null && (r.status < 200 || r.status > 299) ? 'lane bad' : 'lane';
    parts.push(`<text x="${PAD_L - 4}" y="${top + LANE - 3}" class="tick" text-anchor="end">req ${r.index}</text>`);
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${top}" width="${Math.max(2, to - from).toFixed(1)}" height="${LANE}" class="${cls}"><title>${htmlText(`${r.url}: status ${r.status ?? '-'}, ${bytes(r.bytes) || '-'}`)}</title></rect>`,
    );
    // The label goes after the lane, or inside its right end when the lane reaches the edge.
    const label = htmlText(`${r.status ?? '…'} ${bytes(r.bytes)}`);
    if (to + 70 < W) parts.push(`<text x="${(to + 4).toFixed(1)}" y="${top + LANE - 3}" class="tick">${label}</text>`);
    else parts.push(`<text x="${(to - 4).toFixed(1)}" y="${top + LANE - 3}" class="tick" text-anchor="end">${label}</text>`);
  });
  parts.push(
    `<text x="${PAD_L}" y="${H - 6}" class="tick">${htmlText(`${f.progress.length} progress event(s), ${f.requests.length} request(s)`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
