/**
 * A Grid session's browser reached on its own DevTools endpoint, when it runs on this machine in
 * this network namespace (scripts/grid.sh's nodes, a Grid beside the run). Its `se:cdp` goes
 * client -> hub -> node -> browser: two Java processes relay every CDP message, and on a small
 * machine they share the cores with the browsers. Measured on 2 cores (Grid 4.48, 4 sessions,
 * `compat --grid` on 20 scenarios): the hub and node JVMs spent ~9 s of CPU relaying a run whose
 * local twin spends ~40 s in all. The browser's own endpoint skips both; the session is still
 * the Grid's (created, checked for liveness and deleted through the hub).
 *
 * chromedriver starts the browser with --remote-debugging-port=0 and reports where it listens
 * (`goog:chromeOptions.debuggerAddress`, a `localhost:<port>` of the node's host), the browser's
 * process (`goog:processID`) and profile (`chrome.userDataDir`). A `localhost` of another host
 * or another namespace is not this one's, so the endpoint is used only when all of it checks out
 * here: the process exists with that profile on its command line, it shares this process's
 * network namespace, and the profile's DevToolsActivePort names the same port. The WebSocket
 * path from that file carries the browser's own id, which a different browser on the port
 * would refuse. Anything else (a node on another host or in a namespace of its own, /proc not
 * readable) answers null: the session is driven over the hub's se:cdp as before.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities } from './capabilities.js';

const object = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `ws://127.0.0.1:<port>/devtools/browser/<id>` of the session's browser when it is reachable from here, else null. */
export function localDevTools(capabilities: Capabilities): string | null {
  const pid = capabilities['goog:processID'];
  const profile = object(capabilities['chrome'])['userDataDir'];
  const address = object(capabilities['goog:chromeOptions'])['debuggerAddress'];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (typeof profile !== 'string' || !profile || typeof address !== 'string') return null;
  const port = /^(?:localhost|127\.0\.0\.1):(\d+)$/.exec(address)?.[1];
  if (!port) return null;
  try {
    if (readlinkSync(`/proc/${pid}/ns/net`) !== readlinkSync('/proc/self/ns/net')) return null;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!argv.includes(`--user-data-dir=${profile}`)) return null;
    const [filePort, path] = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n');
    if (filePort?.trim() !== port || !path?.startsWith('/devtools/browser/')) return null;
    return `ws://127.0.0.1:${port}${path.trim()}`;
  } catch {
    return null;
  }
}
