/**
 * How a CLI command is declared: a light `*.args.ts` module (yargs builder + a typed options
 * object, loaded at start-up) and a heavy module loaded only when the command runs.
 */
import type { Argv } from 'yargs';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import type { Interrupt } from './signals.js';

export interface CommandContext {
  output: Output;
  interrupt: Interrupt;
  cwd: string;
}

export interface CommandSpec<O = unknown> {
  name: string;
  /** yargs command string, e.g. 'record' or 'diff <a> <b>'. */
  usage: string;
  describe: string;
  builder(y: Argv): Argv;
  /** Validated, typed options from the parsed argv (throws UsageError on bad input). */
  toOptions(argv: Record<string, unknown>): O;
  /** Loads the heavy module lazily and runs it. */
  run(options: O, ctx: CommandContext): Promise<ExitCode>;
}

/** Helpers for `toOptions`: typed reads of yargs' argv without `any`. */
export function str(argv: Record<string, unknown>, key: string): string | undefined {
  const v = argv[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return String(v);
}

export function strList(argv: Record<string, unknown>, key: string): string[] {
  const v = argv[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function bool(argv: Record<string, unknown>, key: string): boolean {
  return argv[key] === true;
}
