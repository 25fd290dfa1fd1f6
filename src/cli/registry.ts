/** Every CLI command. Only the light `*.args.ts` modules are imported here. */
import type { CommandSpec } from './command.js';
import { auditCommand } from './commands/audit.args.js';
import { compatCommand } from './commands/compat.args.js';
import { diffCommand } from './commands/diff.args.js';
import { mergeCommand } from './commands/merge.args.js';
import { recordCommand } from './commands/record.args.js';
import { reportCommand } from './commands/report.args.js';
import { scenariosCommand } from './commands/scenarios.args.js';
import { serveCommand } from './commands/serve.args.js';

export const COMMANDS: ReadonlyArray<CommandSpec<never>> = [
  compatCommand,
  auditCommand,
  recordCommand,
  reportCommand,
  diffCommand,
  mergeCommand,
  serveCommand,
  scenariosCommand,
] as unknown as ReadonlyArray<CommandSpec<never>>;
