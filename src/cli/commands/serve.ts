import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { FixtureServer, RESOURCE_GRAMMAR } from '../../server/index.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ServeOptions } from '../options.js';

export async function runServe(options: ServeOptions, ctx: CommandContext): Promise<ExitCode> {
  const root = options.root ? resolve(ctx.cwd, options.root) : undefined;
  if (root && !statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `--root ${options.root}: ${existsSync(root) ? 'not a folder' : 'no such folder'}. Give the folder to serve (the default is the built-in fixtures/).`,
    );
  }
  let server: FixtureServer;
  try {
    server = await FixtureServer.start({ port: options.port, ...(root ? { root } : {}) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`--port ${options.port} is in use on 127.0.0.1: give another port, or --port 0 for a free one.`);
    if (code === 'EACCES')
      throw new UsageError(
        `--port ${options.port} needs privileges this process does not have: give a port above 1023, or --port 0 for a free one.`,
      );
    throw e;
  }
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
