import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import type { CommandSpec } from '../command.js';

export interface ServeOptions {
  port: number;
  root: string | null;
}

export const serveCommand: CommandSpec<ServeOptions> = {
  name: 'serve',
  usage: 'serve',
  describe: 'Start the fixture origin (fixture apps + programmable resources) on 127.0.0.1 for manual exploration',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 0, describe: 'Port (0: a free one)' })
      .option('root', { type: 'string', describe: 'Serve this folder instead of the built-in fixtures/' })
      .example('$0 serve --port 8080', 'then open http://127.0.0.1:8080/podcast/ in Chrome'),
  toOptions(argv) {
    const port = argv['port'] as number;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got "${String(argv['port'])}".`);
    return { port, root: (argv['root'] as string | undefined) ?? null };
  },
  async run(options, ctx) {
    const { runServe } = await import('./serve.js');
    return runServe(options, ctx);
  },
};
