/**
 * One test page's side of the conversation: the bindings bgprobe's testharnessreport.js and
 * testdriver-vendor.js call. Results arrive one by one (kept, so a hung test still has them)
 * and then as the completion callback's whole set; testdriver actions run over CDP (permissions)
 * and Playwright input (click, keys).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { PlaywrightCdpSession } from '../cdp/session.js';
import { DRIVER_BINDING, RESULT_BINDING } from '../server/wpt/index.js';
import type { StepRow } from '../evidence/evidence.js';
import { HARNESS_STATUSES, SUBTEST_STATUSES, type SubtestStatus, type TestStatus, type WptSubtest } from './types.js';

interface RawTest {
  name: string;
  status: number;
  message: string | null;
}

export interface Completion {
  status: TestStatus;
  message: string | null;
  subtests: WptSubtest[];
}

const subtestStatus = (n: number): SubtestStatus => SUBTEST_STATUSES[n] ?? 'FAIL';
const toSubtest = (t: RawTest): WptSubtest => ({ name: String(t.name), status: subtestStatus(t.status), message: t.message ?? null });

// WebDriver key codes testdriver passes for special keys -> Playwright key names.
const KEYS: Record<string, string> = {
  '\uE003': 'Backspace',
  '\uE004': 'Tab',
  '\uE006': 'Enter',
  '\uE007': 'Enter',
  '\uE00C': 'Escape',
  '\uE00D': ' ',
  '\uE012': 'ArrowLeft',
  '\uE013': 'ArrowUp',
  '\uE014': 'ArrowRight',
  '\uE015': 'ArrowDown',
  '\uE017': 'Delete',
};

export class TestPageChannel {
  /** Each result as it came: what a test that never completes still reports. */
  readonly partial: WptSubtest[] = [];
  /** testdriver calls, as evidence steps. */
  readonly steps: StepRow[] = [];
  /** When each subtest's result reached the runner (ms epoch), by name. */
  readonly arrivedAt = new Map<string, number>();
  readonly completed: Promise<Completion>;
  #complete!: (c: Completion) => void;

  constructor() {
    this.completed = new Promise((resolve) => (this.#complete = resolve));
  }

  async install(context: BrowserContext): Promise<void> {
    await context.exposeBinding(RESULT_BINDING, (_source, json: string) => this.onResult(json));
    await context.exposeBinding(DRIVER_BINDING, async ({ page }, json: string) =>
      JSON.stringify(await this.#onDriver(context, page, json)),
    );
  }

  /** A result message of bgprobe's testharnessreport.js (a binding's argument, or a polled queue's entry). */
  onResult(json: string): void {
    const m = JSON.parse(json) as { type: string; status: number; message: string | null; tests?: RawTest[]; name?: string };
    if (m.type === 'result') {
      const subtest = toSubtest(m as unknown as RawTest);
      this.arrivedAt.set(subtest.name, Date.now());
      this.partial.push(subtest);
      return;
    }
    this.#complete({ status: HARNESS_STATUSES[m.status] ?? 'ERROR', message: m.message ?? null, subtests: (m.tests ?? []).map(toSubtest) });
  }

  async #onDriver(context: BrowserContext, page: Page, json: string): Promise<{ ok: boolean; value?: unknown; message?: string }> {
    const { action, params } = JSON.parse(json) as { action: string; params: Record<string, unknown> };
    let reply: { ok: boolean; value?: unknown; message?: string };
    try {
      if (action === 'set_permission') {
        const session = new PlaywrightCdpSession(await context.browser()!.newBrowserCDPSession());
        try {
          // No browserContextId: the persistent profile's context is the default one.
          await session.send('Browser.setPermission', {
            permission: params['descriptor'] as { name: string },
            setting: params['state'] as 'granted' | 'denied' | 'prompt',
            origin: String(params['origin']),
          });
        } finally {
          await session.detach();
        }
      } else if (action === 'click') {
        await page.mouse.click(Number(params['x']), Number(params['y']));
      } else if (action === 'send_keys') {
        for (const ch of String(params['keys'])) await (KEYS[ch] ? page.keyboard.press(KEYS[ch]) : page.keyboard.type(ch));
      } else {
        throw new Error(`testdriver action "${action}" is not implemented by bgprobe wpt (implemented: set_permission, click, send_keys).`);
      }
      reply = { ok: true, value: null };
    } catch (e) {
      reply = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    this.steps.push({
      at: Date.now(),
      what: `testdriver: ${action}(${JSON.stringify(params)})`,
      result: reply.ok ? 'ok' : (reply.message ?? 'failed'),
    });
    return reply;
  }
}
