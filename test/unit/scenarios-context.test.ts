// ScenarioContext against fakes: every teardown step runs even when one fails (the error names
// each failed step); what the recorder warns about reaches the evidence.
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import type { BrowserUnderTest } from '../../src/browsers/types.js';
import { ScenarioContext } from '../../src/scenarios/context.js';
import { TeardownError } from '../../src/errors.js';
import type { FixtureServer } from '../../src/server/index.js';

const server = { url: 'http://127.0.0.1:1', requests: () => [] } as unknown as FixtureServer;
const browser = {
  label: 'chromium',
  kind: 'default',
  target: null,
  args: [],
  browser: {},
  version: '150',
  executablePath: null,
} as unknown as BrowserUnderTest;

function context(): { ctx: ScenarioContext; ran: string[]; addOwned: (name: string, close: () => Promise<void>) => void } {
  const ctx = new ScenarioContext(browser, server, Date.now() + 30_000);
  const ran: string[] = [];
  const owned = (ctx as unknown as { owned: Array<{ close(): Promise<void> }> }).owned;
  return {
    ctx,
    ran,
    addOwned: (name, close) =>
      owned.push({
        close: async () => {
          ran.push(name);
          await close();
        },
      }),
  };
}

describe('ScenarioContext.teardown', () => {
  it('runs every step after one fails, then names the failed steps', async () => {
    const { ctx, ran, addOwned } = context();
    ctx.defer(async () => void ran.push('remove temp dir'), 'removing /tmp/x');
    ctx.defer(async () => {
      ran.push('ip netns del');
      throw new Error('Cannot remove namespace: Device busy');
    }, 'ip netns del bgprobe-1');
    ctx.defer(async () => {
      ran.push('close own browser');
      throw new Error('Target closed');
    }, 'closing the relaunched browser');
    addOwned('context.close', async () => undefined);
    const err = await ctx.teardown().then(
      () => null,
      (e: unknown) => e,
    );
    // Last registered first, and the context closed after the clean-up steps, all of them.
    expect(ran).toEqual(['close own browser', 'ip netns del', 'remove temp dir', 'context.close']);
    expect(err).toBeInstanceOf(TeardownError);
    expect((err as TeardownError).failures.map((f) => f.step)).toEqual(['closing the relaunched browser', 'ip netns del bgprobe-1']);
    expect((err as TeardownError).message).toBe(
      'closing the relaunched browser: Target closed; ip netns del bgprobe-1: Cannot remove namespace: Device busy',
    );
    expect((err as TeardownError).hung).toBe(false);
  });

  it('a step that throws synchronously, or a failing context.close, does not stop the rest', async () => {
    const { ctx, ran, addOwned } = context();
    ctx.defer(async () => void ran.push('after'));
    ctx.defer(() => {
      throw new Error('sync');
    });
    addOwned('first context', async () => {
      throw new Error('context gone');
    });
    addOwned('second context', async () => undefined);
    await expect(ctx.teardown()).rejects.toThrow(/a scenario clean-up step: sync; context\.close\(\): context gone/);
    expect(ran).toEqual(['after', 'first context', 'second context']);
  });

  it('succeeds quietly when every step does', async () => {
    const { ctx, ran } = context();
    ctx.defer(async () => void ran.push('one'));
    await expect(ctx.teardown()).resolves.toBeUndefined();
    expect(ran).toEqual(['one']);
  });
});

describe('ScenarioContext.open', () => {
  it("records the recorder's warnings as notes, once each", async () => {
    const { BackgroundServiceRecorder } = await import('../../src/recorder/recorder.js');
    const warnings = ['service-worker probes unavailable: no browser-level CDP session (persistent context?)'];
    const attach = vi.spyOn(BackgroundServiceRecorder, 'attach').mockResolvedValue({ warnings, dispose: async () => undefined } as never);
    const page = { goto: async () => null, evaluate: async () => ({ ok: true, supported: true }), isClosed: () => true };
    const browserContext = { newPage: async () => page } as unknown as BrowserContext;
    const { ctx } = context();
    try {
      await ctx.open({ context: browserContext });
      await ctx.open({ context: browserContext });
    } finally {
      attach.mockRestore();
    }
    expect(ctx.evidence.notes).toEqual([`Recorder: ${warnings[0]}`]);
  });
});
