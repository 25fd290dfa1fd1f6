/**
 * How a CLI command is declared (see registry.ts for the steps): its flags and positionals as
 * yargs option objects, so the parser, `--help`, did-you-mean and the typed argv all come from
 * one declaration; `check` for rules across flags; `toOptions` only renames the checked argv
 * into the command's options (src/cli/options.ts); the body is imported only when it runs.
 */
import type { Arguments, InferredOptionTypes, Options, PositionalOptions } from 'yargs';
import { UsageError } from '../errors.js';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import type { Interrupt } from './signals.js';

export interface CommandContext {
  output: Output;
  interrupt: Interrupt;
  cwd: string;
}

/** The parsed, coerced argv a command's declaration describes. */
export type ArgsOf<F extends Record<string, Options>, P extends Record<string, PositionalOptions>> = Arguments<InferredOptionTypes<F & P>>;

export interface CommandSpec<
  F extends Record<string, Options> = Record<string, Options>,
  P extends Record<string, PositionalOptions> = Record<string, PositionalOptions>,
  O = unknown,
> {
  name: string;
  /** yargs command string, e.g. 'record' or 'diff <a> <b>': positionals named here are declared in `positionals`. */
  usage: string;
  describe: string;
  positionals?: P;
  /** What to say when a positional the usage demands is missing. */
  needs?: string;
  flags: F;
  examples?: ReadonlyArray<readonly [command: string, meaning: string]>;
  /** Rules across flags: throw a UsageError saying what to give instead. */
  check?: (argv: ArgsOf<F, P>) => void;
  /** The checked argv as the command's options (no validation left to do here). */
  toOptions(argv: ArgsOf<F, P>): O;
  /** Imports the command's body and runs it. */
  run(options: O, ctx: CommandContext): Promise<ExitCode>;
}

/** Declares a command with its argv type inferred from its flags and positionals. */
export function defineCommand<F extends Record<string, Options>, P extends Record<string, PositionalOptions>, O>(
  spec: CommandSpec<F, P, O>,
): CommandSpec<F, P, O> {
  return spec;
}

/**
 * Flags declared by numberFlag(), for the parser's "--x needs a number" when the value is
 * missing: yargs' own `type: 'number'` turns `--port abc` into NaN, and a message quoting NaN
 * does not show what was typed, so these are declared untyped and converted by coerce.
 */
const NUMBER_FLAGS = new WeakSet<Options>();

export function isNumberFlag(option: Options | undefined): boolean {
  return option !== undefined && NUMBER_FLAGS.has(option);
}

/** What stringFlag() declares. */
export interface StringFlag<T> {
  type: 'string';
  describe: string;
  coerce: (value: unknown) => T;
}

/** A flag taking one number; `check` refuses values out of range with its own message. */
export function numberFlag(
  name: string,
  describe: string,
  settings: { default: number; check?: NumberCheck },
): NumberFlag & { default: number };
export function numberFlag(name: string, describe: string, settings?: { check?: NumberCheck }): NumberFlag;
export function numberFlag(name: string, describe: string, settings: { default?: number; check?: NumberCheck } = {}): NumberFlag {
  // Untyped, yargs passes a number as a number and anything else as the text typed.
  const option = {
    nargs: 1 as const,
    describe,
    ...(settings.default === undefined ? {} : { default: settings.default }),
    coerce: (value: unknown): number => {
      const text = String(lastOf(value));
      const n = typeof value === 'number' ? value : Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${name} takes a number, got "${text}".`);
      settings.check?.(n, text);
      return n;
    },
  };
  NUMBER_FLAGS.add(option);
  return option;
}

type NumberCheck = (n: number, text: string) => void;

/** What numberFlag() declares. */
export interface NumberFlag {
  nargs: 1;
  describe: string;
  coerce: (value: unknown) => number;
}

/** A repeated flag's last value: `--out a --out b` means b, as it did before yargs kept both. */
export function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** A one-value string flag whose last repetition wins. */
export function stringFlag(describe: string, settings: { default: string }): StringFlag<string> & { default: string };
export function stringFlag(describe: string): StringFlag<string>;
export function stringFlag(describe: string, settings: { default?: string } = {}): StringFlag<string> {
  return {
    type: 'string',
    describe,
    ...(settings.default === undefined ? {} : { default: settings.default }),
    coerce: (value: unknown): string => String(lastOf(value)),
  };
}

/** `--x a,b --x c` -> ['a', 'b', 'c']: repeatable and comma-separated, blanks dropped. */
export function commaList(values: readonly unknown[]): string[] {
  return values
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A numberFlag() check: a whole number of at least 1. */
/** A numberFlag() check: a whole number, 0 allowed (`--retries 0` turns retries off). */
export function wholeAtLeastZero(name: string) {
  return (n: number, text: string): void => {
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number of at least 0, got "${text}".`);
  };
}

export function wholeAtLeastOne(name: string) {
  return (n: number, text: string): void => {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1, got "${text}".`);
  };
}

/** A numberFlag() check: a positive, finite number of seconds. */
export function positiveSeconds(name: string) {
  return (n: number, text: string): void => {
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds, got "${text}".`);
  };
}
