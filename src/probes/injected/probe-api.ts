/**
 * Browser side: what the probe's parts share (probe.ts builds it, worker.ts uses it).
 */
import type { IconInfo, ProbeBase, ProbeRecord, ProgressSample } from '../types.js';
import type { Global } from './natives.js';

/** A record as the probe builds it: the base fields are added by `report`. */
export type Body = ProbeRecord extends infer R
  ? R extends ProbeRecord
    ? Omit<R, 'at' | 'origin' | 'context'> & { at?: number }
    : never
  : never;

export type Report = (body: Body) => void;
export type Track = (p: Promise<unknown>) => void;

export interface Probe {
  g: Global;
  report: Report;
  /** Reports still being put together (records measured, answers not in yet). */
  inflight: Set<Promise<unknown>>;
  track: Track;
  watch(registration: unknown): void;
  state: (registration: unknown) => RegistrationState;
  iconInfo: (icon: unknown) => IconInfo;
  requestUrl: (r: unknown) => string;
}

/** What a registration's progress event carries: a progress record without its envelope (one declaration, in types.ts). */
export type RegistrationState = Omit<ProgressSample, keyof ProbeBase | 'kind'>;
