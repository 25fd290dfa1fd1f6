#!/usr/bin/env node
/**
 * The bgprobe CLI. Parsing is pure (parse.ts); each command's body lives in its own module and
 * is loaded only when run. The only place that sets the exit code.
 */
import { BgprobeError, BrowserNotFoundError, UnsupportedBrowserError, UsageError } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processOutput } from './output.js';
import { parseArgs } from './parse.js';
import { onInterrupt } from './signals.js';

export async function main(argv: readonly string[]): Promise<ExitCode> {
  const output = processOutput();
  let parsed;
  try {
    parsed = await parseArgs(argv);
  } catch (e) {
    output.err(`bgprobe: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.usage;
  }
  if (parsed.kind === 'no-command') {
    output.err(parsed.text);
    output.err('\nbgprobe: give a command (compat, record, ...).');
    return EXIT.usage;
  }
  if (parsed.kind === 'help' || parsed.kind === 'version') {
    output.out(parsed.text);
    return EXIT.ok;
  }
  const interrupt = onInterrupt(() => process.exit(EXIT.interrupted));
  try {
    return await parsed.spec.run(parsed.options, { output, interrupt, cwd: process.cwd() });
  } catch (e) {
    if (e instanceof UsageError || e instanceof BrowserNotFoundError || e instanceof UnsupportedBrowserError) {
      output.err(`bgprobe: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof BgprobeError) {
      output.err(`bgprobe: ${e.message}`);
      return EXIT.failed;
    }
    output.err(`bgprobe: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failed;
  } finally {
    interrupt.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bgprobe: ${String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);
