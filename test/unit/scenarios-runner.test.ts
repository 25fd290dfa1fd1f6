// The runner against fake browsers and scenarios that do not touch them: what a failing
// fixture server or a Ctrl-C during a (re)launch does to the run.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

class FakeBrowser extends EventEmitter {
  isConnected(): boolean {
    return true;
  }
  version(): string {
    return '150.0.0.0';
  }
  async close(): Promise<void> {
    this.emit('disconnected');
  }
}

/** Each launch waits for this gate (a slow browser start) when one is set. */
let gate: Promise<void> | null = null;
vi.mock('../../src/browsers/launch.js', () => ({
  launch: async () => {
    if (gate) await gate;
    return new FakeBrowser();
  },
}));
vi.mock('../../src/browsers/discover.js', () => ({
  discoverBrowser: async () => ({ executablePath: '/usr/bin/chromium' }),
}));

const { runScenarios } = await import('../../src/scenarios/runner.js');
const { defineScenario } = await import('../../src/scenarios/types.js');
const { FixtureServer } = await import('../../src/server/index.js');

const browsers = [{ label: 'chromium', kind: 'default' as const, target: null, args: [] }];
const scenario = (id: string, ms = 0) =>
  defineScenario({
    id,
    title: `scenario ${id}`,
    expectation: 'It runs.',
    link: 'https://example.com/',
    // Judged from nothing the fake browser would have to give: the gate lets it through.
    needs: [],
    needsBackgroundFetch: false,
    async run(ctx) {
      if (ms) await ctx.sleep(ms);
      return { ran: true };
    },
    judge: () => ({ verdict: 'conforms', summary: 'ran' }),
  });

afterEach(() => {
  gate = null;
  vi.restoreAllMocks();
});

describe('runScenarios', () => {
  it('a fixture server that cannot start costs that scenario, not the run', async () => {
    vi.spyOn(FixtureServer, 'start').mockRejectedValueOnce(new Error('listen EADDRINUSE: address already in use 127.0.0.1'));
    const run = await runScenarios({ browsers, scenarios: [scenario('x.one'), scenario('x.two')], workers: 1, timeout: 5_000 });
    const byId = Object.fromEntries(run.results.map((r) => [r.scenarioId, r]));
    expect(byId['x.one']).toMatchObject({ verdict: 'error', summary: 'Error: listen EADDRINUSE: address already in use 127.0.0.1' });
    expect(byId['x.two']).toMatchObject({ verdict: 'conforms' });
    expect(run.interrupted).toBe(false);
  });

  it('Ctrl-C while the browser launches: the scenario stops at once, no result', async () => {
    const controller = new AbortController();
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    const started = Date.now();
    const running = runScenarios({ browsers, scenarios: [scenario('x.slow', 3_000)], workers: 1, timeout: 10_000, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    open();
    const run = await running;
    expect(run.interrupted).toBe(true);
    expect(run.results).toEqual([]);
    // Not after the scenario's 3 s of work: the abort that came during the launch counted.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
