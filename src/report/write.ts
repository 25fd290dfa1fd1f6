/**
 * Write a report directory atomically: every file goes into a fresh temporary directory next
 * to the target, which then replaces the target with renames. A crash or Ctrl-C mid-write
 * leaves the previous report (or nothing), never a half-written one.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { FILE_NAMES, type Format } from './formats.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ReportModel } from './model.js';

export { FORMATS, FILE_NAMES, parseFormats, type Format } from './formats.js';

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
  }
}

/** Fails early (before a run) when `--out` cannot become a report directory. */
export function checkOutDir(outDir: string): void {
  const dir = resolve(outDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${outDir} exists and is not a directory.`);
}

/** Render every format first (a renderer bug must not cost the old report), then swap directories. */
export function writeReport(outDir: string, model: ReportModel, formats: readonly Format[]): Record<Format, string> {
  const dir = resolve(outDir);
  checkOutDir(dir);
  const rendered = formats.map((f) => [f, render(model, f)] as const);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.tmp-`));
  const written = {} as Record<Format, string>;
  try {
    for (const [f, text] of rendered) {
      writeFileSync(join(tmp, FILE_NAMES[f]), text);
      written[f] = join(dir, FILE_NAMES[f]);
    }
    if (existsSync(dir)) {
      const old = `${tmp}-old`;
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, dir);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return written;
}
