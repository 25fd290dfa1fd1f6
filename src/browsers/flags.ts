/**
 * Flags every launch gets. Without the background-networking ones, a Chromium on a machine
 * with no internet keeps opening connections that are refused; --no-sandbox only as root
 * (the sandbox refuses to start as root, and elsewhere it should stay on).
 */
export const QUIET_NETWORK_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function defaultArgs(): string[] {
  const args = [...QUIET_NETWORK_FLAGS, '--no-first-run', '--no-default-browser-check'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}

/** User args win: a user's `--enable-features` is kept as given, duplicates dropped. */
export function mergeArgs(base: string[], extra: readonly string[] = []): string[] {
  const out = [...base];
  for (const a of extra) if (!out.includes(a)) out.push(a);
  return out;
}
