/** Flags several commands share, declared once so `--help` and the parsing agree across them. */
import { FORMATS, parseFormats } from '../report/formats.js';
import { stringFlag } from './command.js';
import { DEFAULT_OUT } from './options.js';

/** `--out <dir>` of the commands that write a report directory. */
export const outDirFlag = () =>
  stringFlag('Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)', { default: DEFAULT_OUT });

/** `--format`: repeatable, comma-separated, `markdown`/`xml` accepted for md/junit. */
export const formatFlag = (describe = 'html,json,md,junit,bcd (default html,json,md,junit; bcd: one mdn-bcd-collector file per browser)') =>
  ({ type: 'string', array: true, default: [] as string[], defaultDescription: 'html,json,md,junit', coerce: (v: string[]) => parseFormats(v), choices: FORMATS, describe }) as const;
