/** The only place (with main.ts) that writes to the terminal. Commands get an Output. */
export interface Output {
  /** Normal output (stdout): results, NDJSON. */
  out(line: string): void;
  /** Messages for the human (stderr): progress, warnings, errors. */
  err(line: string): void;
  readonly isTTY: boolean;
  /** Rewrite the current status line (TTY only; a no-op elsewhere). */
  status(line: string): void;
}

export function processOutput(): Output {
  const isTTY = Boolean(process.stderr.isTTY) && !process.env['CI'];
  let statusShown = false;
  const clear = () => {
    if (statusShown) {
      process.stderr.write('\r\x1b[2K');
      statusShown = false;
    }
  };
  return {
    out: (line) => {
      clear();
      process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      clear();
      process.stderr.write(`${line}\n`);
    },
    isTTY,
    status: (line) => {
      if (!isTTY) return;
      const width = process.stderr.columns ?? 100;
      process.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
      statusShown = true;
    },
  };
}
