/**
 * vitest's global set-up: bundle the injected probe (src/probes/injected/generated.ts) before any
 * test imports a module that needs it. A clean clone has no generated file until this runs.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function globalSetup(): void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const run = spawnSync(process.execPath, [join(repo, 'scripts/build-injected.mjs')], { cwd: repo, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`Bundling the injected probe failed (scripts/build-injected.mjs):\n${run.stdout}${run.stderr}`);
}
