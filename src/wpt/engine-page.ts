/**
 * A test page in a browser without Playwright bindings (Firefox over WebDriver BiDi, WebKitGTK
 * over classic WebDriver): bgprobe's testharnessreport.js and testdriver-vendor.js queue their
 * messages in the page, and the runner drains the queue by evaluating a script over the engine's
 * own protocol every POLL_MS, answering testdriver calls through the page's reply function. The
 * results end up in a TestPageChannel, as a Chromium page's do through its bindings.
 */
import type { EnginePage } from '../browsers/types.js';
import { QUEUE_GLOBAL, REPLY_GLOBAL } from '../server/wpt/index.js';
import type { Completion, TestPageChannel } from './page.js';

const POLL_MS = 250;

/** What a driver can do for testdriver.js: WebDriver's Permissions extension, where it has one. */
export interface TestDriverActions {
  /** `POST /session/{id}/permissions` (classic) or `permissions.setPermission` (BiDi); null when the driver has neither, with why. */
  setPermission: ((descriptor: { name: string }, state: string, origin: string) => Promise<void>) | { missing: string };
}

interface DriverMessage {
  type: 'driver';
  id: number;
  call: string;
}

/** Takes the page's queued messages (a page that navigated away or froze gives none this round). */
async function drain(page: EnginePage): Promise<string[]> {
  return page.evaluate((name: string) => {
    const g = window as unknown as Record<string, string[] | undefined>;
    const q = g[name] ?? [];
    g[name] = [];
    return q;
  }, QUEUE_GLOBAL);
}

async function answer(
  channel: TestPageChannel,
  actions: TestDriverActions,
  json: string,
): Promise<{ ok: boolean; value?: unknown; message?: string }> {
  const { action, params } = JSON.parse(json) as { action: string; params: Record<string, unknown> };
  let reply: { ok: boolean; value?: unknown; message?: string };
  try {
    if (action !== 'set_permission')
      throw new Error(`testdriver action "${action}" is not implemented by bgprobe wpt on this engine (implemented: set_permission).`);
    const set = actions.setPermission;
    if ('missing' in set) throw new Error(`set_permission is not available: ${set.missing}`);
    await set(params['descriptor'] as { name: string }, String(params['state']), String(params['origin']));
    reply = { ok: true, value: null };
  } catch (e) {
    reply = { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  channel.steps.push({
    at: Date.now(),
    what: `testdriver: ${action}(${JSON.stringify(params)})`,
    result: reply.ok ? 'ok' : (reply.message ?? 'failed'),
  });
  return reply;
}

/**
 * Polls the page until its completion callback reports (the channel's `completed`), `stop`
 * settles (deadline, crash, interrupt), or the page stops answering.
 */
export async function pollTestPage(
  page: EnginePage,
  channel: TestPageChannel,
  actions: TestDriverActions,
  stop: Promise<Completion>,
): Promise<Completion> {
  let done: Completion | null = null;
  const finished = Promise.race([channel.completed, stop]).then((c) => (done = c));
  while (done === null) {
    let messages: string[] = [];
    try {
      messages = await Promise.race([drain(page), finished.then(() => [])]);
    } catch {
      // A navigation in progress, or a page that threw while being read: the next round asks again.
    }
    for (const m of messages) {
      const parsed = JSON.parse(m) as { type: string };
      if (parsed.type !== 'driver') {
        channel.onResult(m);
        continue;
      }
      const { id, call } = parsed as DriverMessage;
      const reply = await answer(channel, actions, call);
      await page
        .evaluate(
          (name: string, n: number, text: string) => (window as unknown as Record<string, (i: number, t: string) => void>)[name]?.(n, text),
          REPLY_GLOBAL,
          id,
          JSON.stringify(reply),
        )
        .catch(() => undefined);
    }
    if (done === null) await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), finished]);
  }
  return done;
}
