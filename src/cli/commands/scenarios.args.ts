import { defineCommand } from '../command.js';
import type { ScenariosOptions } from '../options.js';

export const scenariosCommand = defineCommand({
  name: 'scenarios',
  usage: 'scenarios [glob..]',
  describe: 'List the behaviour scenarios (id, title, spec link) and the skip list with reasons',
  positionals: {
    glob: { type: 'string', array: true, default: [] as string[], describe: 'Only ids matching these globs (e.g. "lifecycle.*")' },
  },
  flags: {
    json: { type: 'boolean', default: false, describe: 'Print JSON instead of a table' },
  },
  examples: [['$0 scenarios "fetch.*"', 'the fetch scenarios']],
  toOptions: (argv): ScenariosOptions => ({ globs: argv.glob, json: argv.json }),
  async run(options, ctx) {
    const { runScenariosCommand } = await import('./scenarios.js');
    return runScenariosCommand(options, ctx);
  },
});
