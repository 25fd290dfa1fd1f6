/**
 * Parsing of the runner's command-line level inputs (browsers, shards): a light module with no
 * browser or protocol imports, so the CLI's argument parser can use it at start-up.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';

export type BrowserKind = 'default' | 'path' | 'channel' | 'endpoint';

export interface BrowserSpec {
  label: string;
  kind: BrowserKind;
  target: string | null;
  args: string[];
}

export const CHANNELS = ['chrome', 'chrome-beta', 'chrome-dev', 'chrome-canary', 'msedge', 'msedge-beta', 'msedge-dev', 'msedge-canary', 'chromium'] as const;

/** `--browser` value -> kind: ws/http URL or host:port = endpoint, a known channel, else a path. */
export function classifyBrowser(target: string): BrowserKind {
  if (/^(ws|wss|http|https):\/\//i.test(target) || /^[\w.-]+:\d+$/.test(target)) return 'endpoint';
  if ((CHANNELS as readonly string[]).includes(target) && !existsSync(target)) return 'channel';
  return 'path';
}

/**
 * Pair `--browser`, `--browser-args` and `--label` by position. With no `--browser`, one
 * default (discovered) browser takes the first `--browser-args`. Labels are made unique.
 */
export function browserSpecs(targets: readonly string[], argLists: readonly string[], labels: readonly string[]): BrowserSpec[] {
  const n = Math.max(targets.length, 1);
  if (argLists.length > n) throw new UsageError(`${argLists.length} --browser-args for ${n} browser(s): give one --browser-args per --browser, in the same order.`);
  if (labels.length > n) throw new UsageError(`${labels.length} --label for ${n} browser(s): give one --label per --browser, in the same order.`);
  const specs: BrowserSpec[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const target = targets[i] ?? null;
    const kind: BrowserKind = target === null ? 'default' : classifyBrowser(target);
    const args = splitArgs(argLists[i] ?? '');
    if (kind === 'endpoint' && args.length) throw new UsageError(`--browser-args cannot apply to the endpoint ${target}: that browser is already running with its own flags.`);
    let label = labels[i] ?? defaultLabel(kind, target, args);
    if (used.has(label)) {
      let k = 2;
      while (used.has(`${label}#${k}`)) k++;
      label = `${label}#${k}`;
    }
    used.add(label);
    specs.push({ label, kind, target, args });
  }
  return specs;
}

function defaultLabel(kind: BrowserKind, target: string | null, args: string[]): string {
  const base = kind === 'default' ? 'chromium' : kind === 'path' ? (target!.split('/').pop() ?? target!) : target!;
  return args.length ? `${base} ${args.join(' ')}` : base;
}

/** One --browser-args value holds several flags separated by spaces. */
export function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard "${text}" is not valid: use i/n with 1 <= i <= n, e.g. --shard 1/3.`);
  }
  return { index, total };
}
