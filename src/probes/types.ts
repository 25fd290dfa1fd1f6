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
  /**
   * How many of the app's listeners the event reached: `addEventListener` ones (minus removed)
   * plus the `on<type>` property, counted at dispatch. Null when the probe came after the
   * worker's script ran and the browser did not list the listeners added then.
   */
  listeners?: number | null;
  /** Each waitUntil() promise of the event, in call order (null: not settled yet). */
  waitUntil?: WaitUntilOutcome[] | null;
  /** When every waitUntil() promise of the app's handlers had settled (null: not yet). */
  doneAt?: number | null;
  /** Whether they all fulfilled. */
  doneOk?: boolean | null;
}

export interface WaitUntilOutcome {
  status: 'fulfilled' | 'rejected';
  /** The rejection's name and message (null when fulfilled). */
  error: ErrorInfo | null;
}

/** Internal: the worker finished handling a background-fetch event (joined into SwEventRecord). */
export interface SwEventDoneRecord extends ProbeBase {
  kind: 'sw-event-done';
  type: SwEventType;
  ok: boolean;
  extensions: number;
  waitUntil?: WaitUntilOutcome[];
}

/**
 * The worker's script added a listener for a name that is not a Background Fetch event
 * (`backgroundfetchfailure`, `BackgroundFetchSuccess`), by `addEventListener` or an
 * `onbackgroundfetch...` property set to a function. Once per name per worker start; `id` is ''
 * (it is about the worker, not one fetch): timelines of the origin join it.
 */
export interface UnknownListenerRecord extends ProbeBase {
  kind: 'unknown-listener';
  name: string;
  via: 'addEventListener' | 'property';
}

/**
 * A worker (re)start the probe saw (id ''), sent once its script has run: `afterAppScript`
 * when the probe came after that script; then the listeners that script added are read from
 * the browser's own list (DevTools' getEventListeners), and `listenersCounted` says whether it
 * answered (if not, the worker's events carry `listeners: null`).
 */
export interface WorkerStartRecord extends ProbeBase {
  kind: 'worker-start';
  afterAppScript: boolean;
  /** Absent in records of older versions (read as `!afterAppScript`). */
  listenersCounted?: boolean;
}

/** An icon as the app passed it to fetch() or updateUI(): `keys` are all the keys it had. */
export interface IconInfo {
  src: string | null;
  sizes: string | null;
  type: string | null;
  keys: string[];
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
  icons: Array<{ src: string | null; sizes?: string | null; type?: string | null; keys?: string[] }> | null;
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
  options: { title?: string; downloadTotal?: number; icons?: number; iconInfo?: IconInfo[] };
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
  | SwEventDoneRecord
  | UnknownListenerRecord
  | WorkerStartRecord;
