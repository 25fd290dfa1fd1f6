/**
 * The small set of errors bgprobe throws. Every message says what to do next.
 */

export class BgprobeError extends Error {
  override name = 'BgprobeError';
}

/** A CDP command failed. Created when the command is SENT so its stack names the caller. */
export class ProtocolError extends BgprobeError {
  override name = 'ProtocolError';
  readonly method: string;
  /** The browser's own message, without the `Protocol error (...)` prefix. */
  originalMessage = '';
  constructor(method: string) {
    super(`Protocol error (${method})`);
    this.method = method;
  }
  fill(original: string): this {
    this.originalMessage = original.replace(/^.*Protocol error \([^)]*\):\s*/s, '');
    this.message = `Protocol error (${this.method}): ${this.originalMessage}`;
    return this;
  }
}

/** The session went away (page closed, browser gone, endpoint disconnected) with a call pending. */
export class SessionClosedError extends ProtocolError {
  override name = 'SessionClosedError';
}

/** A wait ran past its deadline. The message carries what was gathered so far. */
export class TimeoutError extends BgprobeError {
  override name = 'TimeoutError';
}

export class BrowserNotFoundError extends BgprobeError {
  override name = 'BrowserNotFoundError';
  constructor(readonly searched: string[]) {
    super(
      'No Chromium-based browser found. Looked in:\n' +
        searched.map((s) => `  - ${s}`).join('\n') +
        '\nPass --browser <path> (CLI) or executablePath (API), or set BGPROBE_BROWSER to a Chrome/Chromium binary.' +
        ' On Debian/Ubuntu: apt-get install -y chromium.',
    );
  }
}

/** The browser exists but cannot do what bgprobe needs (chrome-headless-shell, Firefox, ...). */
export class UnsupportedBrowserError extends BgprobeError {
  override name = 'UnsupportedBrowserError';
}

/** Bad user input: a flag, a file, a service name. The CLI maps it to exit code 2. */
export class UsageError extends BgprobeError {
  override name = 'UsageError';
}

/** A file the user gave us (DevTools export, report JSON) is malformed. */
export class InputFormatError extends UsageError {
  override name = 'InputFormatError';
}

/** Thrown by a scenario (or its context) when the feature under test is missing: verdict `unsupported`. */
export class UnsupportedFeature extends BgprobeError {
  override name = 'UnsupportedFeature';
}

/** Thrown after a real attempt showed the behaviour cannot be driven from automation: verdict `not-automatable`. */
export class NotAutomatable extends BgprobeError {
  override name = 'NotAutomatable';
}

/** A scenario (or one of its steps) ran past its deadline. */
export class DeadlineError extends BgprobeError {
  override name = 'DeadlineError';
}

export interface TeardownFailure {
  step: string;
  error: Error;
}

/** One or more teardown steps failed (all of them ran). */
export class TeardownError extends BgprobeError {
  override name = 'TeardownError';
  constructor(readonly failures: readonly TeardownFailure[]) {
    super(failures.map((f) => `${f.step}: ${f.error.message.split('\n')[0]}`).join('; '));
  }

  /** A step hung (rather than failed): the browser is probably wedged. */
  get hung(): boolean {
    return this.failures.some((f) => f.error instanceof DeadlineError);
  }
}

/** The browser under test could not be started (or reached) for a scenario. */
export class LaunchError extends BgprobeError {
  override name = 'LaunchError';
  constructor(
    message: string,
    override readonly cause: Error,
  ) {
    super(message);
  }
}

/**
 * The browser went away under a scenario: its process exited or its connection closed, which
 * the scenario's own steps did not ask for. The only failure the runner retries on a fresh
 * browser; `fatal` is the browser's last FATAL log line when it left one.
 */
export class BrowserLostError extends BgprobeError {
  override name = 'BrowserLostError';
  constructor(readonly fatal: string | null) {
    super(
      fatal ? `the browser crashed during the scenario: ${fatal}` : 'the browser disconnected (crashed or was closed) during the scenario',
    );
  }
}

/** Ctrl-C: the runner drops what was in flight. */
export class InterruptedError extends BgprobeError {
  override name = 'InterruptedError';
}

/** An engine named on the command line (`--browser firefox|webkit`) is not installed: the message has the apt command. */
export class EngineNotInstalledError extends UsageError {
  override name = 'EngineNotInstalledError';
}

/** A Firefox or WebKitGTK lane failed: its driver could not start, or a page evaluation threw. */
export class EngineError extends BgprobeError {
  override name = 'EngineError';
}

// The fixture servers' own errors: each becomes the HTTP answer to the request that caused it
// (its text names what to fix), and never reaches a caller of bgprobe.

/** A query parameter of /res/ was malformed, repeated, unknown or inconsistent with another one: a 400 naming it. */
export class ResourceParamError extends Error {
  override readonly name = 'ResourceParamError';
  readonly param: string;

  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

/** A WPT test asked for in a global scope its META: global= does not list: a 404. */
export class WrapperNotAvailable extends Error {
  override name = 'WrapperNotAvailable';
}

/** A wptserve pipe this server does not implement, or malformed: a 500 naming it. */
export class PipeError extends Error {
  override name = 'PipeError';
}

/** A wptserve `{{...}}` substitution this server does not know: a 500 with its text. */
export class SubstitutionError extends Error {
  override name = 'SubstitutionError';
}
