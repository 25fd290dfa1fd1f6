/**
 * A temporary HOME for Firefox and WebKitGTK: both write caches and profiles under the user's
 * home (~/.cache/webkitgtk, ~/.mozilla) otherwise, and a run must leave the machine as it was.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export function tempHome(prefix: string): TempHome {
  const dir = mkdtempSync(join(tmpdir(), `bgprobe-${prefix}-home-`));
  const cache = join(dir, '.cache');
  mkdirSync(cache);
  return {
    dir,
    env: {
      ...process.env,
      HOME: dir,
      XDG_CACHE_HOME: cache,
      XDG_CONFIG_HOME: join(dir, '.config'),
      XDG_DATA_HOME: join(dir, '.local', 'share'),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
