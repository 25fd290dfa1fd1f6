// The runner against fake browsers and scenarios that do not touch them: what a failing
// fixture server or a Ctrl-C during a (re)launch does to the run.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

class FakeBrowser extends EventEmitter {
  connected = true;
  isConnected(): boolean {
    return this.connected;
  }
  /** The process died (a crash, a SIGKILL): the connection closes and Playwright says so. */
  die(): void {
    this.connected = false;
    this.emit('disconnected');
  }
  version(): string {
    return '150.0.0.0';
  }
  async close(): Promise<void> {
    this.connected = false;
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

const { runScenarios } = await import('../../src/compat/runner.js');
const { resolveCompatConfig } = await import('../../src/compat/run.js');
/** A resolved config that runs `scenarios` (not the registry's). */
const suite = (scenarios: import('../../src/scenarios/types.js').Scenario[], o: import('../../src/compat/types.js').CompatRunOptions) => ({
  ...resolveCompatConfig(o),
  selected: { scenarios, skipped: [] },
});
const { countVerdicts } = await import('../../src/report/model.js');
const { SessionClosedError, UnsupportedFeature } = await import('../../src/errors.js');
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
    const run = await runScenarios(suite([scenario('x.one'), scenario('x.two')], { browsers, workers: 1, timeout: 5_000 }));
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
    const running = runScenarios(suite([scenario('x.slow', 3_000)], { browsers, workers: 1, timeout: 10_000, signal: controller.signal }));
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

/** A scenario whose attempts run `steps` in turn (the last one again when they run out). */
function attempts(
  id: string,
  steps: Array<(ctx: import('../../src/scenarios/context.js').ScenarioContext) => Promise<{ [k: string]: boolean }>>,
) {
  let n = 0;
  return defineScenario({
    id,
    title: `scenario ${id}`,
    expectation: 'It runs.',
    link: 'https://example.com/',
    // Judged from nothing the fake browser would have to give: the gate lets it through.
    needs: [],
    needsBackgroundFetch: false,
    run: (ctx) => steps[Math.min(n++, steps.length - 1)](ctx),
    judge: (o) => (o['ok'] ? { verdict: 'conforms', summary: 'ok' } : { verdict: 'deviates', summary: 'not ok' }),
  });
}
const fake = (ctx: import('../../src/scenarios/context.js').ScenarioContext) => ctx.browser.browser as unknown as FakeBrowser;
const dies = async (ctx: import('../../src/scenarios/context.js').ScenarioContext) => {
  fake(ctx).die();
  return new Promise<never>(() => undefined);
};
const passes = () => Promise.resolve({ ok: true });

describe('retries of a lost browser', () => {
  it('a scenario whose browser died is re-run on a fresh browser: the re-run gives the verdict, every attempt is kept, the result is flaky', async () => {
    const run = await runScenarios(suite([attempts('x.crash-once', [dies, passes])], { browsers, workers: 1, timeout: 5_000 }));
    const [r] = run.results;
    expect(r).toMatchObject({ verdict: 'conforms', flaky: true });
    expect(r.attempts.map((a) => [a.run, a.retry, a.verdict, a.browserLost])).toEqual([
      [1, false, 'error', { fatal: null }],
      [1, true, 'conforms', null],
    ]);
    expect(r.attempts[0].error?.name).toBe('BrowserLostError');
    expect(run.browsers[0].launches).toBe(2);
    expect(countVerdicts(run.results).flaky).toEqual({ total: 1, reasons: [{ reason: 'browser disconnected', count: 1 }] });
  });

  it('--retries 0: the lost browser is an error, as before', async () => {
    const run = await runScenarios(suite([attempts('x.crash-once', [dies, passes])], { browsers, workers: 1, timeout: 5_000, retries: 0 }));
    expect(run.results[0]).toMatchObject({ verdict: 'error', flaky: false, attempts: [] });
  });

  it('a browser that dies again on the retry: error, not flaky', async () => {
    const run = await runScenarios(suite([attempts('x.crash-twice', [dies, dies, passes])], { browsers, workers: 1, timeout: 5_000 }));
    expect(run.results[0]).toMatchObject({ verdict: 'error', flaky: false });
    expect(run.results[0].attempts).toHaveLength(2);
  });

  it("an error of the scenario's own (the browser alive) is never retried", async () => {
    const own = (): Promise<never> => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')"));
    const run = await runScenarios(suite([attempts('x.bug', [own, passes])], { browsers, workers: 1, timeout: 5_000 }));
    expect(run.results[0]).toMatchObject({
      verdict: 'error',
      flaky: false,
      attempts: [],
      summary: expect.stringMatching(/^TypeError/) as unknown,
    });
  });

  it('a step that fails because the browser died, before the disconnect is reported, counts as the browser lost', async () => {
    const targetClosed = (ctx: import('../../src/scenarios/context.js').ScenarioContext): Promise<never> => {
      setTimeout(() => fake(ctx).die(), 100);
      return Promise.reject(new Error('Target page, context or browser has been closed'));
    };
    const run = await runScenarios(suite([attempts('x.target-closed', [targetClosed, passes])], { browsers, workers: 1, timeout: 5_000 }));
    expect(run.results[0]).toMatchObject({ verdict: 'conforms', flaky: true });
  });
  it("the recorder's SessionClosedError from a browser about to die counts as the browser lost too", async () => {
    const sessionClosed = (ctx: import('../../src/scenarios/context.js').ScenarioContext): Promise<never> => {
      setTimeout(() => fake(ctx).die(), 100);
      return Promise.reject(
        new SessionClosedError('BackgroundService.clearEvents').fill('the CDP session closed before the browser answered'),
      );
    };
    const run = await runScenarios(
      suite([attempts('x.session-closed', [sessionClosed, passes])], { browsers, workers: 1, timeout: 5_000 }),
    );
    expect(run.results[0]).toMatchObject({ verdict: 'conforms', flaky: true });
    expect(run.results[0].attempts[0].error?.name).toBe('BrowserLostError');
  });

  it('a scenario that finds the feature missing is not held back or retried', async () => {
    const missing = (): Promise<never> => Promise.reject(new UnsupportedFeature('no BackgroundFetchManager'));
    const run = await runScenarios(suite([attempts('x.missing', [missing, passes])], { browsers, workers: 1, timeout: 5_000 }));
    expect(run.results[0]).toMatchObject({ verdict: 'unsupported', flaky: false, attempts: [] });
  });
});

describe('--repeat', () => {
  it("runs that disagree make the result unstable, with every run's verdict", async () => {
    const run = await runScenarios(
      suite([attempts('x.flip', [passes, () => Promise.resolve({ ok: false })])], { browsers, workers: 1, timeout: 5_000, repeat: 2 }),
    );
    const [r] = run.results;
    expect(r).toMatchObject({ verdict: 'unstable', flaky: false, observation: null });
    expect(r.attempts.map((a) => [a.run, a.verdict, a.summary])).toEqual([
      [1, 'conforms', 'ok'],
      [2, 'deviates', 'not ok'],
    ]);
    expect(r.summary).toBe('The verdicts differ between 2 runs: run 1 conforms (ok); run 2 deviates (not ok)');
  });

  it('runs that agree keep the verdict and list the runs', async () => {
    const run = await runScenarios(suite([attempts('x.steady', [passes])], { browsers, workers: 1, timeout: 5_000, repeat: 3 }));
    expect(run.results[0]).toMatchObject({ verdict: 'conforms' });
    expect(run.results[0].attempts.map((a) => a.run)).toEqual([1, 2, 3]);
  });
});
