import type { Argv } from 'yargs';
import { bool, strList, type CommandSpec } from '../command.js';

export interface ScenariosOptions {
  globs: string[];
  json: boolean;
}

export const scenariosCommand: CommandSpec<ScenariosOptions> = {
  name: 'scenarios',
  usage: 'scenarios [glob..]',
  describe: 'List the behaviour scenarios (id, title, spec link) and the skip list with reasons',
  builder: (y: Argv) =>
    y
      .positional('glob', { type: 'string', array: true, describe: 'Only ids matching these globs (e.g. "lifecycle.*")' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' })
      .example('$0 scenarios "fetch.*"', 'the fetch scenarios'),
  toOptions: (argv) => ({ globs: strList(argv, 'glob'), json: bool(argv, 'json') }),
  async run(options, ctx) {
    const { runScenariosCommand } = await import('./scenarios.js');
    return runScenariosCommand(options, ctx);
  },
};
