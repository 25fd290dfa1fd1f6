import { UsageError } from '../../errors.js';
import { defineCommand, numberFlag, stringFlag } from '../command.js';
import { DEFAULT_PORT, type ServeOptions } from '../options.js';

export const serveCommand = defineCommand({
  name: 'serve',
  usage: 'serve',
  describe: 'Start the fixture origin (fixture apps + programmable resources) on 127.0.0.1 for manual exploration',
  flags: {
    port: numberFlag('port', 'Port (0: a free one)', {
      default: DEFAULT_PORT,
      check: (n, text) => {
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer 0-65535, got "${text}".`);
      },
    }),
    root: stringFlag('Serve this folder instead of the built-in fixtures/'),
  },
  examples: [['$0 serve --port 8080', 'then open http://127.0.0.1:8080/podcast/ in Chrome']],
  toOptions: (argv): ServeOptions => ({ port: argv.port, root: argv.root ?? null }),
  async run(options, ctx) {
    const { runServe } = await import('./serve.js');
    return runServe(options, ctx);
  },
});
