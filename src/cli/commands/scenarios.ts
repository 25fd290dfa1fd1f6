/** `bgprobe scenarios`: the suite's ids, titles and spec links, then the skip list with reasons. */
import { selectScenarios } from '../../scenarios/registry.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ScenariosOptions } from '../options.js';

export async function runScenariosCommand(options: ScenariosOptions, ctx: CommandContext): Promise<ExitCode> {
  const { scenarios, skipped } = selectScenarios(options.globs);
  if (options.json) {
    const list = [
      ...scenarios.map((s) => ({ id: s.id, title: s.title, link: s.link, expectation: s.expectation, skipReason: null })),
      ...skipped.map((s) => ({ id: s.id, title: s.title, link: s.link, expectation: '', skipReason: s.reason })),
    ];
    ctx.output.out(JSON.stringify(list, undefined, 2));
    return EXIT.ok;
  }
  const width = Math.max(...scenarios.map((s) => s.id.length), ...skipped.map((s) => s.id.length), 2);
  for (const s of scenarios) ctx.output.out(`${s.id.padEnd(width)}  ${s.title}\n${' '.repeat(width)}  ${s.link}`);
  if (skipped.length) {
    ctx.output.out(`\nSkipped (${skipped.length}):`);
    for (const s of skipped) ctx.output.out(`${s.id.padEnd(width)}  ${s.title}\n${' '.repeat(width)}  skipped: ${s.reason}`);
  }
  ctx.output.out(`\n${scenarios.length} scenario(s), ${skipped.length} skipped.`);
  return EXIT.ok;
}
