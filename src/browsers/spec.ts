/**
 * `--browser`, `--browser-args` and `--label` parsed into BrowserSpecs: a light module with no
 * browser or protocol imports, so the CLI's argument parser can use it at start-up.
 */
import { existsSync } from 'node:fs';
import { EngineNotInstalledError, UsageError } from '../errors.js';
import { engineOfPath, findEngine, INSTALL, installedEngines, missingPart } from './installed.js';
import type { BrowserKind, BrowserSpec, EngineName } from './types.js';

/** `--browser` names that are engines rather than paths or channels. */
export const ENGINE_NAMES = ['chromium', 'firefox', 'webkit', 'all'] as const;

export const CHANNELS = [
  'chrome',
  'chrome-beta',
  'chrome-dev',
  'chrome-canary',
  'msedge',
  'msedge-beta',
  'msedge-dev',
  'msedge-canary',
  'chromium',
] as const;

/** `--browser` value -> kind: ws/http URL or host:port = endpoint, a known channel, else a path. */
export function classifyBrowser(target: string): BrowserKind {
  if (/^(ws|wss|http|https):\/\//i.test(target) || /^[\w.-]+:\d+$/.test(target)) return 'endpoint';
  if ((CHANNELS as readonly string[]).includes(target) && !existsSync(target)) return 'channel';
  return 'path';
}

/** `firefox` / `webkit`: the installed binary, or an EngineNotInstalledError with the apt command. */
function namedEngine(name: 'firefox' | 'webkit'): string {
  const part = missingPart(name);
  const path = findEngine(name);
  if (part || !path) {
    throw new EngineNotInstalledError(
      `${INSTALL[name].product} is not installed (${part} is missing): run \`${INSTALL[name].apt}\` as root (or \`make engines\`), or pass --browser <path>.`,
    );
  }
  return path;
}

/** `--browser all`: every installed engine, each with no flags of its own; none is a UsageError saying what to install. */
function expandAll(): string[] {
  const { installed, missing } = installedEngines();
  if (installed.length === 0)
    throw new EngineNotInstalledError(
      `--browser all: no engine is installed. Run as root: ${missing.map((m) => m.apt).join(' && ')} (or make engines).`,
    );
  return installed;
}

/**
 * Pair `--browser`, `--browser-args` and `--label` by position. With no `--browser`, one
 * default (discovered) browser takes the first `--browser-args`. Labels are made unique.
 * `--browser all` stands for every installed engine (it takes no --browser-args or --label).
 */
export function browserSpecs(givenTargets: readonly string[], givenArgs: readonly string[], givenLabels: readonly string[]): BrowserSpec[] {
  const allAt = givenTargets.indexOf('all');
  if (allAt >= 0 && ((givenArgs[allAt] ?? '') !== '' || (givenLabels[allAt] ?? '') !== '')) {
    throw new UsageError(
      '--browser all takes no --browser-args or --label of its own: give them to a --browser named after it (e.g. --browser all --browser webkit --browser-args= --browser-args=--features=+BackgroundFetchAPI).',
    );
  }
  const targets: string[] = [];
  const argLists: string[] = [];
  const labels: Array<string | undefined> = [];
  givenTargets.forEach((t, i) => {
    const expanded = t === 'all' ? expandAll() : [t];
    for (const e of expanded) {
      targets.push(e);
      argLists.push(t === 'all' ? '' : (givenArgs[i] ?? ''));
      labels.push(t === 'all' ? undefined : givenLabels[i]);
    }
  });
  if (givenTargets.length === 0) {
    argLists.push(...givenArgs);
    labels.push(...givenLabels);
  }
  const n = Math.max(targets.length, 1);
  if (givenArgs.length > Math.max(givenTargets.length, 1))
    throw new UsageError(
      `${givenArgs.length} --browser-args for ${Math.max(givenTargets.length, 1)} browser(s): give one --browser-args per --browser, in the same order.`,
    );
  if (givenLabels.length > Math.max(givenTargets.length, 1))
    throw new UsageError(
      `${givenLabels.length} --label for ${Math.max(givenTargets.length, 1)} browser(s): give one --label per --browser, in the same order.`,
    );
  const specs: BrowserSpec[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const given = targets[i] ?? null;
    const named = given === 'firefox' || given === 'webkit' ? given : null;
    const target = named ? namedEngine(named) : given === 'chromium' ? null : given;
    const kind: BrowserKind = target === null ? 'default' : classifyBrowser(target);
    const engine: EngineName = named ?? (kind === 'path' ? engineOfPath(target!) : 'chromium');
    const args = splitArgs(argLists[i] ?? '');
    if (kind === 'endpoint' && args.length)
      throw new UsageError(`--browser-args cannot apply to the endpoint ${target}: that browser is already running with its own flags.`);
    let label = labels[i] ?? defaultLabel(kind, named ?? target, args);
    if (used.has(label)) {
      let k = 2;
      while (used.has(`${label}#${k}`)) k++;
      label = `${label}#${k}`;
    }
    used.add(label);
    specs.push({ label, kind, target, args, ...(engine !== 'chromium' ? { engine } : {}) });
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
