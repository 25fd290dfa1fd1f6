/** bgprobe wpt's defaults, in a module light enough for the CLI's parser to import. */

/** Measured on Chromium 156: a fetch's first request ~4.4 s after its worker registers, a CORS retry ~20 s later. 5 lets every background-fetch file finish. */
export const DEFAULT_TIMEOUT_MULTIPLIER = 5;
/** Test files in flight at once, each with a browser of its own. */
export const DEFAULT_WPT_WORKERS = 2;
/** Re-runs of a test file whose browser was lost (as `compat --retries`). */
export const DEFAULT_WPT_RETRIES = 1;
