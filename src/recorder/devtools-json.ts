/**
 * The DevTools "Background services" panel's "Save events" format: a plain JSON array of raw
 * BackgroundServiceEvent objects, 2-space indented, saved as `<service>-YYYYMMDDTHHMMSS.json`.
 * It is the interchange format users already have, so bgprobe writes and reads exactly that.
 */
import { InputFormatError } from '../errors.js';
import type { RawBackgroundServiceEvent } from './normalise.js';
import { SERVICE_NAMES } from './services.js';

export function toDevToolsJsonText(events: readonly RawBackgroundServiceEvent[]): string {
  return JSON.stringify(events, undefined, 2);
}

/** `backgroundFetch-20261124T070102.json`, as the panel names it (local time). */
export function devToolsFileName(service: string, date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${service}-${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}T${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}.json`;
}

function lineCol(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const col = position - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/**
 * Parse and validate a whole file before returning anything: malformed input throws an
 * InputFormatError naming the position and field, never a half-read result.
 */
export function parseDevToolsJson(text: string, source = 'input'): RawBackgroundServiceEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? ` at ${lineCol(text, Number(pos[1]))}` : text.trim() === '' ? ' (the file is empty)' : '';
    throw new InputFormatError(
      `${source}: not valid JSON${where}: ${msg}. Expected the JSON array written by DevTools' Background services panel ("Save events") or by \`bgprobe record --out\`.`,
    );
  }
  if (!Array.isArray(data)) {
    throw new InputFormatError(`${source}: expected a JSON array of BackgroundServiceEvent objects, got ${typeName(data)}.`);
  }
  const out: RawBackgroundServiceEvent[] = [];
  data.forEach((item: unknown, i) => {
    const at = `${source}: event [${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InputFormatError(`${at}: expected an object, got ${typeName(item)}.`);
    }
    const o = item as Record<string, unknown>;
    const str = (field: string, optional = false) => {
      const v = o[field];
      if (v === undefined && optional) return;
      if (typeof v !== 'string')
        throw new InputFormatError(`${at}.${field}: expected a string, got ${v === undefined ? 'nothing' : typeName(v)}.`);
    };
    if (typeof o['timestamp'] !== 'number' || !Number.isFinite(o['timestamp'])) {
      throw new InputFormatError(
        `${at}.timestamp: expected a number (seconds since the epoch), got ${o['timestamp'] === undefined ? 'nothing' : typeName(o['timestamp'])}.`,
      );
    }
    str('origin');
    str('serviceWorkerRegistrationId');
    str('service');
    if (!(SERVICE_NAMES as readonly string[]).includes(o['service'] as string)) {
      throw new InputFormatError(`${at}.service: "${String(o['service'])}" is not a background service (${SERVICE_NAMES.join(', ')}).`);
    }
    str('eventName');
    str('instanceId');
    str('storageKey', true);
    const meta = o['eventMetadata'];
    if (!Array.isArray(meta))
      throw new InputFormatError(
        `${at}.eventMetadata: expected an array of {key, value}, got ${meta === undefined ? 'nothing' : typeName(meta)}.`,
      );
    meta.forEach((m: unknown, j) => {
      if (typeof m !== 'object' || m === null)
        throw new InputFormatError(`${at}.eventMetadata[${j}]: expected {key, value}, got ${typeName(m)}.`);
      const mm = m as Record<string, unknown>;
      for (const f of ['key', 'value']) {
        if (typeof mm[f] !== 'string')
          throw new InputFormatError(
            `${at}.eventMetadata[${j}].${f}: expected a string, got ${mm[f] === undefined ? 'nothing' : typeName(mm[f])}.`,
          );
      }
    });
    out.push(o as unknown as RawBackgroundServiceEvent);
  });
  return out;
}
