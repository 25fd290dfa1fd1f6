import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { FixtureServer, RESOURCE_GRAMMAR } from '../../server/index.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ServeOptions } from './serve.args.js';

export async function runServe(options: ServeOptions, ctx: CommandContext): Promise<ExitCode> {
  const root = options.root ? resolve(ctx.cwd, options.root) : undefined;
  if (root && !existsSync(root)) throw new UsageError(`--root ${options.root}: no such folder.`);
  const server = await FixtureServer.start({ port: options.port, ...(root ? { root } : {}) });
  ctx.output.out(`Fixture server listening on ${server.url}`);
  ctx.output.out(`  podcast app: ${server.url}/podcast/`);
  ctx.output.out(`  harness:     ${server.url}/harness/`);
  ctx.output.out('');
  ctx.output.out(RESOURCE_GRAMMAR);
  ctx.output.err('Ctrl-C to stop.');
  const off = server.onRequest((r) => ctx.output.err(`${r.method} ${r.path} -> ${r.status} ${r.bytesSent} B${r.cut ? ' (cut)' : ''}`));
  await ctx.interrupt.promise;
  off();
  await server.close();
  return EXIT.interrupted;
}
