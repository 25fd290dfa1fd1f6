/**
 * Every CLI command, in `bgprobe --help` order. Only the light declarations are imported here;
 * a command's body (and the browsers, servers or renderers behind it) loads when it runs.
 *
 * To add a command `x`:
 *   1. its options type in ../cli/options.ts (`XOptions`), with any default a user sees as a
 *      named constant there (or re-exported from the layer that owns it);
 *   2. `commands/x.args.ts`: `export const xCommand = defineCommand({ name, usage, describe,
 *      positionals, flags, examples, check, toOptions, run })`, `run` importing ./x.js
 *      dynamically and calling its runX(options, ctx);
 *   3. `commands/x.ts`: `runX(options: XOptions, ctx: CommandContext): Promise<ExitCode>`;
 *   4. add `xCommand` to COMMANDS below, and a case to test/unit/cli-parse.test.ts.
 * To add a flag: one entry in the command's `flags`, a yargs option object. Use `choices` for a
 * closed set, `coerce` to turn text into the value (commaList for `a,b` lists; numberFlag() for
 * numbers, so a typo is quoted rather than read as NaN; throw a UsageError there for a bad
 * value), `check` for rules between flags, `default` from a named constant. A boolean gets its
 * `--no-x` form from yargs. Then map it into the options in `toOptions` (no checks left there).
 * A flag several commands share (`--out <dir>`, `--format`) is declared once in flags.ts.
 */
import type { CommandSpec } from './command.js';
import { auditCommand } from './commands/audit.args.js';
import { compatCommand } from './commands/compat.args.js';
import { diffCommand } from './commands/diff.args.js';
import { mergeCommand } from './commands/merge.args.js';
import { recordCommand } from './commands/record.args.js';
import { reportCommand } from './commands/report.args.js';
import { scenariosCommand } from './commands/scenarios.args.js';
import { serveCommand } from './commands/serve.args.js';
import { wptCommand } from './commands/wpt.args.js';

/**
 * Each declaration keeps its own argv and options types; the parser only passes one's output
 * to the same one's input, so the list can forget them.
 */
export const COMMANDS = [
  compatCommand,
  auditCommand,
  wptCommand,
  recordCommand,
  reportCommand,
  diffCommand,
  mergeCommand,
  serveCommand,
  scenariosCommand,
] as unknown as readonly CommandSpec[];
