/**
 * The pure parser: argv in, a typed command + options out, or a UsageError. Exported for tests
 * (no process exit, no output).
 */
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { CommandSpec } from './command.js';
import { COMMANDS } from './registry.js';

export type Parsed =
  | { kind: 'run'; spec: CommandSpec<unknown>; options: unknown }
  | { kind: 'help'; text: string }
  /** No command given: the help goes to stderr and the exit code is 2 (bad usage). */
  | { kind: 'no-command'; text: string }
  | { kind: 'version'; text: string };

export function version(): string {
  return '0.1.0';
}

/**
 * yargs reads `--probes=maybe` as false: a typo would silently switch a feature off. A boolean
 * flag given a value must be given true or false.
 */
function checkBooleanValues(argv: readonly string[]): void {
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  if (!spec) return;
  const booleans = new Set(optionsOf(spec).boolean);
  for (const arg of argv) {
    const m = /^--(?:no-)?([^=]+)=(.*)$/.exec(arg);
    if (m && booleans.has(m[1]!) && !['true', 'false'].includes(m[2]!)) {
      throw new UsageError(`--${m[1]} is an on/off flag: give --${m[1]} or --no-${m[1]}, not ${arg}.`);
    }
  }
}

/**
 * yargs turns `--port abc` into NaN, and a message quoting NaN does not show what was typed.
 * A number flag given something that is not a number is refused here, quoting the text.
 */
function checkNumberValues(argv: readonly string[]): void {
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  if (!spec) return;
  const numbers = new Set(optionsOf(spec).number);
  argv.forEach((arg, i) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m || !numbers.has(m[1]!)) return;
    const value = m[2] ?? argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${m[1]} needs a number.`);
    if (value.trim() === '' || Number.isNaN(Number(value))) throw new UsageError(`--${m[1]} takes a number, got "${value}".`);
  });
}

export async function parseArgs(argv: readonly string[]): Promise<Parsed> {
  checkBooleanValues(argv);
  checkNumberValues(argv);
  let helpText: string | null = null;
  let failure: Error | null = null;
  const y = yargs([...argv])
    .scriptName('bgprobe')
    .usage('$0 <command> [options]\n\nRecord, assert and report what the Background Fetch API really does, in real Chromium.')
    .strict()
    .exitProcess(false)
    .version(false)
    .option('version', { type: 'boolean', describe: 'Show the version' })
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok, 1 a check/scenario failed or regressed, 2 bad usage or input, 130 interrupted.')
    .fail((msg, err) => {
      failure = err ?? new Error(msg);
    });
  for (const spec of COMMANDS) y.command(spec.usage, spec.describe, (b) => spec.builder(b));
  // yargs prints help itself; capture it instead so the caller decides where it goes.
  let parsed: Record<string, unknown>;
  try {
    parsed = (await y.parseAsync([...argv], {}, (err, _argv, output) => {
      if (output && !err) helpText = output;
      else if (err) failure ??= err;
    })) as Record<string, unknown>;
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(String(e));
    parsed = {};
  }
  if (failure) throw toUsageError(failure, argv);
  if (helpText !== null) return { kind: 'help', text: helpText };
  if (parsed['version']) return { kind: 'version', text: version() };
  const name = String((parsed['_'] as unknown[] | undefined)?.[0] ?? '');
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    if (!name) return { kind: 'no-command', text: await y.getHelp() };
    const hint = didYouMean(name, COMMANDS.map((c) => c.name));
    throw new UsageError(`Unknown command "${name}".${hint ? ` Did you mean \`${hint}\`?` : ''} Run bgprobe --help for the list.`);
  }
  return { kind: 'run', spec: spec as CommandSpec<unknown>, options: spec.toOptions(parsed) };
}

function toUsageError(e: Error, argv: readonly string[]): UsageError {
  if (e instanceof UsageError) return e;
  let msg = e.message;
  const unknown = /Unknown arguments?: (.+)/.exec(msg);
  if (unknown?.[1]) {
    const first = unknown[1].split(',')[0]!.trim();
    if (first === argv[0] && !COMMANDS.some((c) => c.name === first)) {
      const hint = didYouMean(first, COMMANDS.map((c) => c.name));
      return new UsageError(`Unknown command "${first}".${hint ? ` Did you mean \`${hint}\`?` : ''} Run bgprobe --help for the list.`);
    }
    // `--browser-args --disable-x` reads as two options: the value must be attached with `=`.
    const at = argv.findIndex((a) => a === `--${first}` || a.startsWith(`--${first}=`));
    if (at > 0 && argv[at - 1] === '--browser-args') {
      return new UsageError(`--browser-args needs its value attached with "=": --browser-args=${argv[at]} (a value starting with -- reads as an option).`);
    }
    const cmd = COMMANDS.find((c) => c.name === argv[0]);
    const hint = cmd ? didYouMean(first, flagNames(argv[0]!)) : undefined;
    msg = `Unknown option --${first}.${hint ? ` Did you mean --${hint}?` : ''} Run bgprobe ${argv[0] ?? ''} --help.`;
  }
  return new UsageError(msg);
}

interface YargsOptions {
  key: Record<string, unknown>;
  boolean: string[];
  number: string[];
}

function optionsOf(spec: CommandSpec<never> | CommandSpec<unknown>): YargsOptions {
  const y = yargs([]);
  spec.builder(y);
  // getOptions() exists at run time but is missing from @types/yargs.
  return (y as unknown as { getOptions(): YargsOptions }).getOptions();
}

function flagNames(command: string): string[] {
  const spec = COMMANDS.find((c) => c.name === command);
  if (!spec) return [];
  return Object.keys(optionsOf(spec).key).filter((k) => !['help', 'version', '$0'].includes(k));
}
