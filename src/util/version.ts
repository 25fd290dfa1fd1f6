/**
 * bgprobe's own version, read from package.json: the one place it is written. The path is the
 * same from src/util/ (tests) and dist/util/ (the built CLI), both two levels below the root.
 */
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
