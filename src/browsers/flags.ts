/**
 * Flags every launch gets. Without the background-networking ones, a Chromium on a machine
 * with no internet keeps opening connections that are refused; --no-sandbox only as root
 * (the sandbox refuses to start as root, and elsewhere it should stay on).
 */
export const QUIET_NETWORK_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Browser UI nobody sees, off at every launch: the address bar's popup drawn as WebUI, which
 * Chromium 156 preloads in a renderer of its own for every window, so for every BrowserContext
 * (a scenario's). Measured on Debian's 156, 2 cores: a new context with one page cost 0.7 s of
 * CPU in that renderer and 0.35 s in the browser process, 0.05 s and 0.15 s without it; the
 * Chromium lane of `bgprobe compat` used 111 s of CPU with it and 57 s without. Pages, workers
 * and Background Fetch are untouched (the verdicts are the same).
 */
export const UNSEEN_UI_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/**
 * The features Playwright disables at every launch it makes (playwright-core 1.65.1,
 * chromiumSwitches.ts). Chromium reads only the last `--disable-features` on its command line,
 * so a launch through Playwright that adds one must repeat these in it
 * (test/unit/browsers.test.ts checks this copy against the installed playwright-core).
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

const DISABLE_FEATURES = '--disable-features=';

export function defaultArgs(): string[] {
  const args = [
    ...QUIET_NETWORK_FLAGS,
    '--no-first-run',
    '--no-default-browser-check',
    `${DISABLE_FEATURES}${UNSEEN_UI_FEATURES.join(',')}`,
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}

/**
 * `args` for a launch through Playwright: Playwright's own disabled features joined into the
 * one `--disable-features` Chromium reads, so bgprobe's (or a user's) does not switch them back on.
 */
export function playwrightArgs(args: readonly string[]): string[] {
  return mergeArgs([`${DISABLE_FEATURES}${PLAYWRIGHT_DISABLED_FEATURES.join(',')}`], args);
}

/**
 * User args win: a user's `--enable-features` is kept as given, duplicates dropped. Every
 * `--disable-features` becomes one, where the first was, listing all their features (Chromium
 * reads only the last: a user's `--disable-features=X` would otherwise switch bgprobe's back on).
 */
export function mergeArgs(base: readonly string[], extra: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const a of [...base, ...extra]) if (!out.includes(a)) out.push(a);
  const disabled = out.filter((a) => a.startsWith(DISABLE_FEATURES));
  if (disabled.length < 2) return out;
  const features = [...new Set(disabled.flatMap((a) => a.slice(DISABLE_FEATURES.length).split(',')).filter(Boolean))];
  const first = out.indexOf(disabled[0]);
  return out.flatMap((a, i) => (i === first ? [`${DISABLE_FEATURES}${features.join(',')}`] : a.startsWith(DISABLE_FEATURES) ? [] : [a]));
}
