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

/** An engine named on the command line (`--browser firefox|webkit`) is not installed: the message has the apt command. */
export class EngineNotInstalledError extends UsageError {
  override name = 'EngineNotInstalledError';
}

/** A Firefox or WebKitGTK lane failed: its driver could not start, or a page evaluation threw. */
export class EngineError extends BgprobeError {
  override name = 'EngineError';
}
