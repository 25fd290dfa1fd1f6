/** Every CLI command. Only the light `*.args.ts` modules are imported here. */
import type { CommandSpec } from './command.js';
import { recordCommand } from './commands/record.args.js';
import { serveCommand } from './commands/serve.args.js';

export const COMMANDS: ReadonlyArray<CommandSpec<never>> = [recordCommand, serveCommand] as unknown as ReadonlyArray<CommandSpec<never>>;
