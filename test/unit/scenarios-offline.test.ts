// lifecycle.offline starts a browser of its own (inside a network namespace): with `ip` and the
// launch faked, check how it launches it.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { LaunchOptions } from '../../src/browsers/launch.js';

const launches: LaunchOptions[] = [];
vi.mock('../../src/browsers/launch.js', () => ({
  launch: async (options: LaunchOptions) => {
    launches.push(options);
    throw new Error('stop here');
  },
}));
vi.mock('node:child_process', () => ({
  // `ip ...` succeeds.
  execFile: (_cmd: string, _args: string[], _opts: unknown, cb: (e: Error | null, out: { stdout: string; stderr: string }) => void) =>
    cb(null, { stdout: '', stderr: '' }),
  // The namespaced fixture server: says where it listens, then waits.
  spawn: () => {
    const child = Object.assign(new EventEmitter(), { stdin: new PassThrough(), stdout: new PassThrough(), kill: () => true });
    child.stdout.write(`${JSON.stringify({ url: 'http://127.0.0.1:9' })}\n`);
    return child;
  },
}));

const { SCENARIOS } = await import('../../src/scenarios/registry.js');
const { ScenarioContext } = await import('../../src/scenarios/context.js');

describe('lifecycle.offline', () => {
  it("launches its browser without Playwright's signal handlers (Ctrl-C must still write the report)", async () => {
    const offline = SCENARIOS.find((s) => s.id === 'lifecycle.offline')!;
    const server = { url: 'http://127.0.0.1:1', requests: () => [] } as never;
    const browser = {
      label: 'chromium',
      kind: 'default',
      target: null,
      args: [],
      browser: {},
      version: '150',
      executablePath: '/usr/bin/chromium',
    } as never;
    const ctx = new ScenarioContext(browser, server, Date.now() + 30_000);
    await expect(offline.run(ctx)).rejects.toThrow('stop here');
    await ctx.teardown();
    expect(launches).toHaveLength(1);
    expect(launches[0]).toMatchObject({ handleSignals: false });
  });
});
