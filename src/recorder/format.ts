/** A timeline as text: for timeout errors, matcher messages and test attachments. */
import { formatBytes } from '../util/bytes.js';
import { formatFinding } from '../findings/index.js';
import type { SwEventRecord } from '../probes/types.js';
import { timelineStart, type FetchTimeline } from './timeline.js';

function clock(at: number, t0: number): string {
  const d = (at - t0) / 1000;
  return `${d < 0 ? '-' : '+'}${Math.abs(d).toFixed(3)}s`.padStart(10);
}

function bytes(n: number | null): string {
  return n === null ? '?' : formatBytes(n);
}

export function formatTimeline(t: FetchTimeline, options: { maxLines?: number } = {}): string {
  const t0 = timelineStart(t);
  const lines: string[] = [];
  const head =
    `Background fetch "${t.id}" (${t.origin}, registration ${t.registrationId}): ${t.outcome}` +
    (t.failureReason
      ? ` (${t.failureReason}${t.failureReasonRaw && t.failureReasonRaw !== t.failureReason ? `, raw ${t.failureReasonRaw}` : ''})`
      : '') +
    (t.paused ? ', started paused' : '') +
    (t.resumedAfterRestart ? ', resumed after a browser restart' : '');
  lines.push(head);
  const rows: Array<{ at: number; text: string }> = [];
  for (const e of t.events) {
    const meta = Object.keys(e.metadata)
      .sort()
      .map((k) => `${k}: ${e.metadata[k]}`)
      .join(', ');
    rows.push({ at: e.at, text: `cdp     ${e.name}${meta ? ` {${meta}}` : ''}` });
  }
  for (const c of t.fetchCalls)
    rows.push({ at: c.at, text: `${c.context.padEnd(7)} fetch() ${c.ok ? 'resolved' : `rejected ${c.error?.name}: ${c.error?.message}`}` });
  const progress = t.progress;
  if (progress.length) {
    const last = progress[progress.length - 1];
    rows.push({
      at: last.at,
      text:
        `page    progress x${progress.length}, last ${bytes(last.downloaded)}/${bytes(last.downloadTotal)}` +
        (last.result ? ` result=${last.result}${last.failureReason ? ` (${last.failureReason})` : ''}` : ''),
    });
  }
  for (const s of t.swEvents) {
    rows.push({
      at: s.at,
      text: `worker  ${s.type} (result=${s.result || "''"}${s.failureReason ? `, ${s.failureReason}` : ''}, ${bytes(s.downloaded)}${handling(s)})`,
    });
  }
  for (const u of t.unknownListeners) {
    rows.push({
      at: u.at,
      text: `worker  listener for "${u.name}" (${u.via === 'property' ? `self.${u.name} set` : 'addEventListener'}): not a Background Fetch event`,
    });
  }
  for (const u of t.uiUpdates) {
    rows.push({
      at: u.at,
      text: `worker  updateUI #${u.call} ${JSON.stringify({ title: u.title, icons: u.icons?.length ?? 0 })} ${u.ok ? 'resolved' : `rejected ${u.error?.name}: ${u.error?.message}`}`,
    });
  }
  for (const r of t.records)
    rows.push({
      at: r.at,
      text: `${r.context.padEnd(7)} ${r.method}() -> ${r.ok ? `${r.records.length} record(s)` : `${r.error?.name}: ${r.error?.message}`}`,
    });
  for (const a of t.abortCalls)
    rows.push({ at: a.at, text: `${a.context.padEnd(7)} abort() -> ${a.ok ? String(a.value) : `${a.error?.name}: ${a.error?.message}`}` });
  for (const o of t.openWindows)
    rows.push({ at: o.at, text: `worker  clients.openWindow(${o.url}) ${o.ok ? 'resolved' : `rejected ${o.error?.message}`}` });
  rows.sort((a, b) => a.at - b.at);
  const max = options.maxLines ?? 60;
  for (const r of rows.slice(0, max)) lines.push(`  ${clock(r.at, t0)}  ${r.text}`);
  if (rows.length > max) lines.push(`  ... ${rows.length - max} more`);
  if (t.requests.length) {
    lines.push('  requests:');
    for (const r of t.requests) {
      const served = r.served?.length
        ? ` served ${r.served.map((s) => `${s.status} ${bytes(s.bytesSent)}${s.cut ? ' CUT' : ''}${s.range ? ` range ${s.range}` : ''}`).join(', ')}`
        : '';
      lines.push(
        `    [${r.index}] ${r.url} -> ${r.status ?? 'pending'} ${bytes(r.bytes)}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}${served}`,
      );
    }
  }
  if (t.findings.length) {
    lines.push('  findings:');
    for (const f of t.findings) lines.push(`    ${formatFinding(f)}`);
  }
  return lines.join('\n');
}

/** How the worker handled an event. "handled" only when one of the app's listeners ran. */
function handling(s: SwEventRecord): string {
  if (s.listeners === 0) return ', no listener: dispatched, nothing handled it';
  const who =
    s.listeners == null
      ? ", listeners not counted (probed after the worker's script ran)"
      : `, ${s.listeners} listener${s.listeners === 1 ? '' : 's'}`;
  if (s.doneAt == null) return who;
  // Without a count, "handled" would be a claim the probe cannot back.
  if (s.listeners == null)
    return `${who}, done in ${Math.round(s.doneAt - s.at)} ms${s.doneOk === false ? ' (a waitUntil promise rejected)' : ''}`;
  const rejected = (s.waitUntil ?? []).filter((w) => w.status === 'rejected');
  const outcome = rejected.length
    ? ` (waitUntil rejected: ${rejected.map((w) => `${w.error?.name}: ${w.error?.message}`).join('; ')})`
    : s.doneOk === false
      ? ' (a waitUntil promise rejected)'
      : '';
  const waits = s.waitUntil ? `, ${s.waitUntil.length} waitUntil` : '';
  return `${who}${waits}, handled in ${Math.round(s.doneAt - s.at)} ms${outcome}`;
}
