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
  // Node exits 0 when nothing is left to wake a pending promise: a command still running then
  // waits on something that can no longer happen. Fail, and say so, rather than pass in silence.
  const unfinished = () => {
    output.err(
      `bgprobe: internal error: ${parsed.spec.name} stopped before it finished (it waited on something that can no longer happen). Run it again with DEBUG=bgprobe* to see where.`,
    );
    process.exitCode = EXIT.failed;
  };
  process.once('beforeExit', unfinished);
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
    process.off('beforeExit', unfinished);
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
