/**
 * What the probes see that CDP does not log. Every record names the fetch by developer id and
 * origin (no trailing slash) and carries a wall-clock time in ms, so it can be joined to the
 * recorder's timeline of that fetch.
 */

export interface ProbeBase {
  at: number;
  /** The developer id of the background fetch. */
  id: string;
  origin: string;
  /** Where the probe ran: a page (window) or a service worker. */
  context: 'page' | 'worker';
}

export interface ProgressSample extends ProbeBase {
  kind: 'progress';
  downloaded: number;
  downloadTotal: number;
  uploaded: number;
  uploadTotal: number;
  result: '' | 'success' | 'failure';
  failureReason: string;
}

export type SwEventType = 'backgroundfetchsuccess' | 'backgroundfetchfail' | 'backgroundfetchabort' | 'backgroundfetchclick';

export interface SwEventRecord extends ProbeBase {
  kind: 'sw-event';
  type: SwEventType;
  result: string;
  failureReason: string;
  downloaded: number;
  downloadTotal: number;
  uploaded: number;
  uploadTotal: number;
  recordsAvailable: boolean;
  /** When every waitUntil() promise of the app's handlers had settled (null: not yet). */
  doneAt?: number | null;
  /** Whether they all fulfilled. */
  doneOk?: boolean | null;
}

/** Internal: the worker finished handling a background-fetch event (joined into SwEventRecord). */
export interface SwEventDoneRecord extends ProbeBase {
  kind: 'sw-event-done';
  type: SwEventType;
  ok: boolean;
  extensions: number;
}

export interface ErrorInfo {
  name: string;
  message: string;
}

export interface UiUpdateRecord extends ProbeBase {
  kind: 'ui-update';
  /** 1 for the first updateUI call of this event, 2 for a second... */
  call: number;
  title: string | null;
  icons: Array<{ src: string; sizes?: string; type?: string }> | null;
  ok: boolean;
  error: ErrorInfo | null;
}

export interface RecordInfo {
  url: string;
  method: string;
  status: number | null;
  size: number | null;
}

export interface RecordsRecord extends ProbeBase {
  kind: 'records';
  method: 'match' | 'matchAll';
  ok: boolean;
  error: ErrorInfo | null;
  records: RecordInfo[];
}

export interface FetchCallRecord extends ProbeBase {
  kind: 'fetch-call';
  ok: boolean;
  error: ErrorInfo | null;
  requests: string[];
  options: { title?: string; downloadTotal?: number; icons?: number };
}

export interface OpenWindowRecord extends ProbeBase {
  kind: 'open-window';
  url: string;
  ok: boolean;
  error: ErrorInfo | null;
}

export interface AbortCallRecord extends ProbeBase {
  kind: 'abort-call';
  ok: boolean;
  value: boolean | null;
  error: ErrorInfo | null;
}

export type ProbeRecord =
  | ProgressSample
  | SwEventRecord
  | UiUpdateRecord
  | RecordsRecord
  | FetchCallRecord
  | OpenWindowRecord
  | AbortCallRecord
  | SwEventDoneRecord;
