/** Flags several commands share, declared once so `--help` and the parsing agree across them. */
import { parseCapabilities } from '../browsers/grid/capabilities.js';
import { gridSpec } from '../browsers/grid/type.js';
import type { BrowserSpec } from '../browsers/types.js';
import { UsageError } from '../errors.js';
import { FORMATS, parseFormats } from '../report/formats.js';
import { stringFlag } from './command.js';
import { DEFAULT_OUT } from './options.js';

/** `--out <dir>` of the commands that write a report directory. */
export const outDirFlag = () =>
  stringFlag('Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)', {
    default: DEFAULT_OUT,
  });

/**
 * `--step-summary` (default on; `--no-step-summary` turns it off): append the command's
 * Markdown summary to `$GITHUB_STEP_SUMMARY` when that is set (src/cli/ci.ts).
 */
export const stepSummaryFlag = () =>
  ({
    type: 'boolean',
    default: true,
    describe: 'Append the Markdown summary to $GITHUB_STEP_SUMMARY when that is set (GitHub Actions); --no-step-summary: do not',
  }) as const;

/** `--browser-args` and `--label`: per-position companions of a repeatable `--browser` (compat and wpt). */
export const browserColumnFlags = () => ({
  'browser-args': {
    type: 'string' as const,
    array: true as const,
    default: [] as string[],
    defaultDescription: 'none',
    describe: 'Flags for the browser at the same position (space-separated in one value). Repeatable',
  },
  label: {
    type: 'string' as const,
    array: true as const,
    default: [] as string[],
    defaultDescription: 'from the browser',
    describe: 'A name for the browser at the same position (the report column). Repeatable',
  },
});

/** `--format`: repeatable, comma-separated, `markdown`/`xml` accepted for md/junit. */
export const formatFlag = (describe = 'html,json,md,junit,bcd (default html,json,md,junit; bcd: one mdn-bcd-collector file per browser)') =>
  ({
    type: 'string',
    array: true,
    default: [] as string[],
    defaultDescription: 'html,json,md,junit',
    coerce: (v: string[]) => parseFormats(v),
    choices: FORMATS,
    describe,
  }) as const;

/**
 * `--grid <url>` (or BGPROBE_GRID_URL) as a lane of the run, with `--grid-capabilities`; null
 * without a Grid. A Grid URL or capabilities that cannot be read are one line and exit 2.
 */
export function gridLane(
  url: string | undefined,
  capabilities: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BrowserSpec | null {
  const given = url ?? (env['BGPROBE_GRID_URL'] || undefined);
  if (capabilities !== undefined && !given)
    throw new UsageError('--grid-capabilities needs a Grid: --grid http://host:4444 (or BGPROBE_GRID_URL).');
  return given ? gridSpec(given, capabilities ? parseCapabilities(capabilities) : {}) : null;
}

/** The run's lanes: the Grid's alone when no --browser is given, else the local ones and the Grid's beside them. */
export function withGridLane(local: () => BrowserSpec[], browsersGiven: boolean, grid: BrowserSpec | null): BrowserSpec[] {
  if (!grid) return local();
  return browsersGiven ? [...local(), grid] : [grid];
}
