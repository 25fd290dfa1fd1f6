/**
 * Write a report directory atomically: every file goes into a fresh temporary directory next
 * to the target, which then replaces the target with renames. A crash or Ctrl-C mid-write
 * leaves the previous report (or nothing), never a half-written one.
 *
 * Replacing a directory is only safe when bgprobe owns everything in it, so an existing
 * target may hold nothing but report files (FILE_NAMES) and the temporary directories of an
 * earlier killed write; anything else is a UsageError before a byte is written (`--out .` must
 * never cost a project). And the old directory is emptied name by name, never removed
 * recursively: a file that appears in it during the swap stays where it is.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { FILE_NAMES, type Format } from './formats.js';
import { COLLECTOR_FILE, collectorReports } from './bcd-collector.js';
import { renderHtml, renderHtmlTo } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ReportModel } from './model.js';
import { escapeRegExp } from '../util/regexp.js';

export { FORMATS, DEFAULT_FORMATS, FILE_NAMES, parseFormats, type Format } from './formats.js';

/** Files other commands write beside the renderers' (`bgprobe wpt`'s wptreport.json): bgprobe's too. */
export const EXTRA_REPORT_FILES = ['wptreport.json'] as const;
// `bcd-<browser>.json` is a pattern (COLLECTOR_FILE), not a name.
const REPORT_FILES: ReadonlySet<string> = new Set([...Object.values(FILE_NAMES).filter((n) => !n.includes('<')), ...EXTRA_REPORT_FILES]);
/**
 * `mkdtempSync(join(parent, '.<name>.tmp-<host>-<pid>-'))` and its `-old` twin (see
 * writeReport): host and pid say whether the writer still runs (names without them come from
 * earlier versions). Groups: host, pid, `-old`. For one target's name, or (no name) any.
 */
function tempDirPattern(name?: string): RegExp {
  return new RegExp(`^\\.${name === undefined ? '.+' : escapeRegExp(name)}\\.tmp-(?:([A-Za-z0-9]+)-(\\d+)-)?[A-Za-z0-9]{6}(-old)?$`);
}
/** Any report's temp dir (leftovers inside a report directory). */
const TEMP_DIR = tempDirPattern();
/** This machine's name as it goes into a temp dir's name. */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 32) || 'host';
/**
 * A temp dir of another machine (a shared volume) or of an earlier version cannot be asked
 * whether its writer runs: it counts as a killed write's only once it is this old.
 */
const FOREIGN_STALE_MS = 10 * 60_000;

export function render(model: ReportModel, format: Format): string {
  switch (format) {
    case 'json':
      return renderJson(model);
    case 'html':
      return renderHtml(model);
    case 'md':
      return renderMarkdown(model);
    case 'junit':
      return renderJunit(model);
    case 'bcd':
      return `${JSON.stringify(Object.fromEntries(collectorReports(model).map((c) => [c.browser, c.report])), undefined, 2)}\n`;
  }
}

/** A report file bgprobe wrote: a regular file (not a directory or a link) with one of its names. */
function isReportFile(dir: string, name: string): boolean {
  return (REPORT_FILES.has(name) || COLLECTOR_FILE.test(name)) && lstatSync(join(dir, name), { throwIfNoEntry: false })?.isFile() === true;
}

/** A temporary directory a killed write left behind: bgprobe's name, only report files inside. */
function isLeftoverTemp(dir: string, name: string): boolean {
  if (!TEMP_DIR.test(name)) return false;
  const path = join(dir, name);
  if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory() !== true) return false;
  return readdirSync(path).every((f) => isReportFile(path, f));
}

/** Entries of `dir` bgprobe did not write (what stands in the way of replacing it). */
function foreignEntries(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !isReportFile(dir, name) && !isLeftoverTemp(dir, name))
    .sort();
}

/**
 * Is the writer that made a temp dir gone (so the dir is a killed write's, not a running one's)?
 * Asked of the process when it ran on this machine; otherwise judged by the dir's age.
 */
function writerGone(path: string, host: string | undefined, pid: string | undefined): boolean {
  if (host === HOST && pid !== undefined) {
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st !== undefined && Date.now() - st.mtimeMs > FOREIGN_STALE_MS;
}

/**
 * The directory a given --out stands for: itself, or where its symlink points, even while the
 * link dangles (a write killed after moving the old report aside leaves it dangling).
 */
function targetOf(given: string): string {
  if (existsSync(given)) return realpathSync(given);
  if (lstatSync(given, { throwIfNoEntry: false })?.isSymbolicLink()) {
    const to = resolve(dirname(given), readlinkSync(given));
    const parent = dirname(to);
    return existsSync(parent) ? join(realpathSync(parent), basename(to)) : to;
  }
  return given;
}

/**
 * Clean up after a write that was killed, next to `dir`: a previous report moved aside and
 * never replaced (killed between the two renames) goes back to `dir`; temp dirs of killed
 * writes are emptied of their report files and removed. Another process's write still running
 * is left alone.
 */
export function recoverInterruptedWrite(dir: string): void {
  const parent = dirname(dir);
  // This target's temp dirs only (not those of a sibling whose name merely looks alike).
  const own = tempDirPattern(basename(dir));
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => own.test(n));
  } catch {
    return;
  }
  // The moved-aside previous report first: it is the only copy of that report.
  for (const name of names.sort((a, b) => Number(b.endsWith('-old')) - Number(a.endsWith('-old')))) {
    const m = own.exec(name)!;
    const path = join(parent, name);
    if (!writerGone(path, m[1], m[2]) || !isLeftoverTemp(parent, name)) continue;
    if (m[3] && !existsSync(dir)) renameSync(path, dir);
    else emptyOld(path);
  }
}

/**
 * Fails early (before a run) when `--out` cannot become a report directory: it is a file, or
 * an existing directory holding anything bgprobe did not write there.
 */
export function checkOutDir(outDir: string): void {
  const dir = resolve(outDir);
  recoverInterruptedWrite(targetOf(dir));
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${outDir} exists and is not a directory.`);
  const foreign = foreignEntries(dir);
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
  throw new UsageError(
    `--out ${outDir} holds files that are not a bgprobe report (${shown}), and the report replaces the whole directory: give --out a new or empty directory, or one holding only a previous report.`,
  );
}

export interface WriteOptions {
  /**
   * The report.json files the model was read from. One inside the target directory is kept
   * when this write does not replace it (a format list without json): a command never
   * deletes the file it was given.
   */
  inputs?: readonly string[];
  /**
   * The model is its (single) input re-rendered (`bgprobe report`): when that input is in the
   * target directory, only the files being written change and the report's other files stay.
   */
  rerender?: boolean;
  /** More files to write into the directory with the report, by name (one of EXTRA_REPORT_FILES). */
  extra?: Partial<Record<(typeof EXTRA_REPORT_FILES)[number], string>>;
}

/** Names of the target's files to carry into the new report when this write does not replace them. */
function carried(dir: string, options: WriteOptions): string[] {
  const here = (options.inputs ?? []).filter((p) => existsSync(p) && realpathSync(dirname(p)) === dir).map((p) => basename(p));
  if (here.length && options.rerender) return [...REPORT_FILES, ...readdirSync(dir).filter((n) => COLLECTOR_FILE.test(n))];
  return here;
}

/** One format into `path`: HTML in pieces as it renders (see renderHtmlTo), the others as one string. */
function renderToFile(model: ReportModel, format: Format, path: string): void {
  if (format !== 'html') {
    writeFileSync(path, render(model, format));
    return;
  }
  const fd = openSync(path, 'w');
  try {
    renderHtmlTo(model, (chunk) => {
      const buf = Buffer.from(chunk);
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * Render every format into a temporary directory first (a renderer bug must not cost the old
 * report), then swap directories.
 */
export function writeReport(
  outDir: string,
  model: ReportModel,
  formats: readonly Format[],
  options: WriteOptions = {},
): Record<Format, string> {
  const given = resolve(outDir);
  checkOutDir(given);
  // Through a symlink to the directory it names: the link is the user's, not the report's.
  const dir = targetOf(given);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.tmp-${HOST}-${process.pid}-`));
  const written = {} as Record<Format, string>;
  try {
    for (const f of formats) {
      if (f === 'bcd') {
        // One mdn-bcd-collector file per browser; `written` names the directory holding them.
        for (const c of collectorReports(model)) writeFileSync(join(tmp, c.file), `${JSON.stringify(c.report, undefined, 2)}\n`);
        written[f] = given;
        continue;
      }
      renderToFile(model, f, join(tmp, FILE_NAMES[f]));
      written[f] = join(given, FILE_NAMES[f]);
    }
    for (const [name, text] of Object.entries(options.extra ?? {})) writeFileSync(join(tmp, name), text);
    const replaced = new Set(formats.map((f) => FILE_NAMES[f]));
    for (const name of existsSync(dir) ? carried(dir, options) : []) {
      if (replaced.has(name) || (formats.includes('bcd') && COLLECTOR_FILE.test(name)) || !isReportFile(dir, name)) continue;
      // A hard link shares the old file's bytes: nothing to copy, and it survives the old dir.
      try {
        linkSync(join(dir, name), join(tmp, name));
      } catch {
        copyFileSync(join(dir, name), join(tmp, name));
      }
    }
    if (existsSync(dir)) {
      const old = `${tmp}-old`;
      renameSync(dir, old);
      try {
        renameSync(tmp, dir);
      } catch (e) {
        renameSync(old, dir);
        throw e;
      }
      emptyOld(old);
    } else {
      renameSync(tmp, dir);
    }
  } catch (e) {
    if (existsSync(tmp)) emptyOld(tmp);
    throw e;
  }
  return written;
}

/**
 * Remove the previous report moved aside: its report files and leftover temp dirs by name,
 * then the directory itself only if that left it empty. Anything else (a file someone put
 * there between the check and the swap) keeps the directory, and itself, in place.
 */
function emptyOld(old: string): void {
  for (const name of readdirSync(old)) {
    if (isReportFile(old, name)) unlinkSync(join(old, name));
    else if (isLeftoverTemp(old, name)) emptyOld(join(old, name));
  }
  try {
    rmdirSync(old);
  } catch {
    // Not empty: what is left is not bgprobe's to delete.
  }
}
