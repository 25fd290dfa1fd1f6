/**
 * Build dist/ once, before any worker starts: the CLI drills and the compat tests run the built
 * CLI in child processes. Building here, and nowhere during the run, is what keeps a test from
 * importing half-written modules while another rebuilds them (seen once in a flakiness check:
 * "does not provide an export named ..." from a CLI started while a spec re-ran tsc).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function globalSetup(): void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const injected = spawnSync(process.execPath, [join(repo, 'scripts/build-injected.mjs')], { cwd: repo, encoding: 'utf8' });
  if (injected.status !== 0)
    throw new Error(`Bundling the injected probe failed (scripts/build-injected.mjs):\n${injected.stdout}${injected.stderr}`);
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (tsc.status !== 0)
    throw new Error(`Building dist/ for the e2e tests failed (tsc -p tsconfig.build.json):\n${tsc.stdout}${tsc.stderr}`);
}
