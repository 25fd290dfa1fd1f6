/** Report formats and file names: a light module (the CLI's argument parser imports it). */
import { UsageError } from '../errors.js';

export const FORMATS = ['html', 'json', 'md', 'junit', 'bcd'] as const;
export type Format = (typeof FORMATS)[number];

/** What a run writes when no --format is given: `bcd` (mdn-bcd-collector files) only when asked. */
export const DEFAULT_FORMATS: readonly Format[] = ['html', 'json', 'md', 'junit'];

/** `bcd` writes one file per browser (`bcd-<label>.json`, see bcd-collector.ts); the name here is the pattern. */
export const FILE_NAMES: Record<Format, string> = {
  json: 'report.json',
  html: 'report.html',
  md: 'report.md',
  junit: 'junit.xml',
  bcd: 'bcd-<browser>.json',
};

/** `--format html,json` (repeatable, comma-separated) -> formats; unknown names are a UsageError. */
export function parseFormats(values: readonly string[]): Format[] {
  const list = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (list.length === 0) return [...DEFAULT_FORMATS];
  const out = new Set<Format>();
  for (const f of list) {
    const alias = f === 'markdown' ? 'md' : f === 'xml' ? 'junit' : f;
    if (!(FORMATS as readonly string[]).includes(alias))
      throw new UsageError(`Unknown report format "${f}". Valid: ${FORMATS.join(', ')} (comma-separated).`);
    out.add(alias as Format);
  }
  return [...out];
}
