/**
 * The pure parser: argv in, a typed command + options out, or a UsageError. Exported for tests
 * (no process exit, no output). What a flag accepts is declared with the command (registry.ts);
 * this module only builds yargs from the declarations and turns yargs' failures into one line
 * that says what to type instead.
 */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { toolVersion } from '../util/version.js';
import { isNumberFlag, type CommandSpec } from './command.js';
import { COMMANDS } from './registry.js';

export type Parsed =
  | { kind: 'run'; spec: CommandSpec; options: unknown }
  | { kind: 'help'; text: string }
  /** No command given: the help goes to stderr and the exit code is 2 (bad usage). */
  | { kind: 'no-command'; text: string }
  | { kind: 'version'; text: string };

export function version(): string {
  return toolVersion();
}

function declare(y: Argv, spec: CommandSpec): Argv {
  for (const [name, option] of Object.entries(spec.positionals ?? {})) y.positional(name, option);
  y.options(spec.flags);
  for (const [command, meaning] of spec.examples ?? []) y.example(command, meaning);
  const check = spec.check;
  if (check) y.check((argv) => (check(argv), true));
  return y;
}

function program(argv: readonly string[], onFailure: (e: Error) => void): Argv {
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
    .fail((msg, err) => onFailure(err ?? new Error(msg)));
  for (const spec of COMMANDS) y.command(spec.usage, spec.describe, (b) => declare(b, spec));
  return y;
}

export async function parseArgs(argv: readonly string[]): Promise<Parsed> {
  checkBooleanValues(argv);
  let helpText: string | null = null;
  let failure: Error | null = null;
  const y = program(argv, (e) => (failure ??= e));
  let parsed: Record<string, unknown> = {};
  try {
    // yargs prints help itself; the callback captures it so the caller decides where it goes.
    parsed = await y.parseAsync([...argv], {}, (err, _argv, output) => {
      if (output && !err) helpText = output;
      else if (err) failure ??= err;
    });
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(String(e));
  }
  if (failure) throw toUsageError(failure, argv);
  if (helpText !== null) return { kind: 'help', text: helpText };
  if (parsed['version']) return { kind: 'version', text: version() };
  const first: unknown = (parsed['_'] as unknown[] | undefined)?.[0];
  const name = typeof first === 'string' || typeof first === 'number' ? String(first) : '';
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    if (!name) return { kind: 'no-command', text: await y.getHelp() };
    throw unknownCommand(name);
  }
  return { kind: 'run', spec, options: spec.toOptions(parsed as never) };
}

/**
 * yargs-parser reads `--probes=maybe` as false: a typo would silently switch a feature off,
 * and no coerce or check sees the text. So a boolean flag's `=value` form is read here, from
 * the raw argv, against the declared booleans: it must be true or false.
 */
function checkBooleanValues(argv: readonly string[]): void {
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  if (!spec) return;
  const booleans = new Set(Object.entries(spec.flags).flatMap(([name, o]) => (o.type === 'boolean' ? [name] : [])));
  for (const arg of argv) {
    const m = /^--(?:no-)?([^=]+)=(.*)$/.exec(arg);
    if (m && booleans.has(m[1]) && !['true', 'false'].includes(m[2])) {
      throw new UsageError(`--${m[1]} is an on/off flag: give --${m[1]} or --no-${m[1]}, not ${arg}.`);
    }
  }
}

function unknownCommand(name: string): UsageError {
  const hint = didYouMean(
    name,
    COMMANDS.map((c) => c.name),
  );
  return new UsageError(`Unknown command "${name}".${hint ? ` Did you mean \`${hint}\`?` : ''} Run bgprobe --help for the list.`);
}

/** yargs' failure messages, each as the one line a user needs. */
function toUsageError(e: Error, argv: readonly string[]): UsageError {
  if (e instanceof UsageError) return e;
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  const unknown = /Unknown arguments?: (.+)/.exec(e.message);
  if (unknown?.[1]) return unknownArgument(unknown[1].split(',')[0].trim(), argv, spec);
  const missingValue = /Not enough arguments following: (.+)/.exec(e.message);
  if (missingValue?.[1]) {
    const name = missingValue[1].trim();
    return new UsageError(`--${name} needs ${isNumberFlag(spec?.flags[name]) ? 'a number' : 'a value'}.`);
  }
  if (/Not enough non-option arguments/.test(e.message) && spec?.needs) return new UsageError(spec.needs);
  const choice = /Argument: (\S+), Given: "?([^",]*)"?, Choices: (.+)/.exec(e.message.replace(/\n\s*/g, ' '));
  if (choice) {
    const valid = choice[3].replace(/"/g, '').trim();
    return new UsageError(`Unknown --${choice[1]} "${choice[2]}". Valid: ${valid}.`);
  }
  return new UsageError(e.message.replace(/\s*\n\s*/g, ' '));
}

function unknownArgument(first: string, argv: readonly string[], spec: CommandSpec | undefined): UsageError {
  if (first === argv[0] && !spec) return unknownCommand(first);
  // `--browser-args --disable-x` reads as two options: the value must be attached with `=`.
  const at = argv.findIndex((a) => a === `--${first}` || a.startsWith(`--${first}=`));
  if (at > 0 && argv[at - 1] === '--browser-args') {
    return new UsageError(
      `--browser-args needs its value attached with "=": --browser-args=${argv[at]} (a value starting with -- reads as an option).`,
    );
  }
  const hint = spec ? didYouMean(first, Object.keys(spec.flags)) : undefined;
  return new UsageError(`Unknown option --${first}.${hint ? ` Did you mean --${hint}?` : ''} Run bgprobe ${argv[0] ?? ''} --help.`);
}
