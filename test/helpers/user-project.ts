/**
 * A user's project as the user-path e2e tests build it: the package is built into a staging
 * copy (never the shared checkout's dist/), packed with `npm pack`, and installed with
 * @playwright/test into a fresh folder under the OS temp dir; commands run in child processes,
 * never through a shell, their output kept for the failure message.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const PLAYWRIGHT_VERSION = '1.65.1';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command, never through a shell; the child's output is kept for the failure message. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export function describeRun(what: string, r: Run): string {
  return `${what} exited ${r.code}\n--- stdout ---\n${r.stdout.slice(-6000)}\n--- stderr ---\n${r.stderr.slice(-6000)}`;
}

/** The parent runner's variables would make the child Playwright think it is a worker of ours. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PW_|PLAYWRIGHT_|TEST_|BGPROBE_PW_JSON$|NODE_OPTIONS$|GITHUB_)/.test(k)) continue;
    env[k] = v;
  }
  env['FORCE_COLOR'] = '0';
  env['CI'] = '1';
  return env;
}

/** Build and `npm pack` the package into `work`; returns the tarball's path. Throws with the output on failure. */
export async function packTarball(work: string, env: NodeJS.ProcessEnv): Promise<string> {
  const stage = join(work, 'stage');
  await mkdir(stage);
  const build = await run(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')],
    REPO,
    env,
    180_000,
  );
  if (!existsSync(join(stage, 'dist/playwright/index.js'))) throw new Error(describeRun('tsc', build));
  // What package.json's `files` ships (dist is built above), so the tarball is the published one.
  const { files } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
  for (const entry of ['package.json', ...files.filter((f) => f !== 'dist')]) {
    if (existsSync(join(REPO, entry))) await cp(join(REPO, entry), join(stage, entry), { recursive: true });
  }
  const pack = await run('npm', ['pack', '--pack-destination', work, '--silent'], stage, env, 120_000);
  const tarball = pack.stdout.trim().split('\n').pop() ?? '';
  if (pack.code !== 0 || !tarball.endsWith('.tgz')) throw new Error(describeRun('npm pack', pack));
  return join(work, tarball);
}

/** `npm install` the tarball and @playwright/test into an existing project folder. */
export async function installInto(project: string, tarball: string, env: NodeJS.ProcessEnv): Promise<void> {
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, `@playwright/test@${PLAYWRIGHT_VERSION}`],
    project,
    env,
    300_000,
  );
  if (install.code !== 0) throw new Error(describeRun('npm install', install));
}
