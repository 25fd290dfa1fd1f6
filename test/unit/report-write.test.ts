// The report writer against a real temporary directory: what it refuses to replace, what it
// keeps, and that it never deletes a file bgprobe did not write.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCompatCommand } from '../../src/cli/commands/compat.js';
import type { CompatOptions } from '../../src/cli/options.js';
import { runMergeCommand } from '../../src/cli/commands/merge.js';
import { runReportCommand } from '../../src/cli/commands/report.js';
import type { CommandContext } from '../../src/cli/command.js';
import { UsageError } from '../../src/errors.js';
import { renderHtml, renderHtmlTo } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import { checkOutDir, writeReport } from '../../src/report/write.js';
import { model, result } from './report-fixture.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bgprobe-write-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const report = model([result('fetch.success.one', 'chromium', 'conforms')]);
const lines: string[] = [];
const ctx = (): CommandContext => ({
  output: { out: (l) => lines.push(l), err: (l) => lines.push(l), isTTY: false, status: () => undefined },
  interrupt: { requested: false, promise: new Promise(() => undefined), dispose: () => undefined },
  cwd: root,
});
/** A directory the user owns: a project with a source tree. */
function project(): string {
  const dir = join(root, 'project');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}');
  writeFileSync(join(dir, 'src', 'index.ts'), 'export {};');
  return dir;
}
const tree = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

describe('--out that holds files bgprobe did not write', () => {
  it('is refused with one line naming them, and nothing is touched', () => {
    const dir = project();
    const before = tree(root);
    expect(() => writeReport(dir, report, ['html', 'json'])).toThrow(UsageError);
    expect(() => writeReport(dir, report, ['html', 'json'])).toThrow(
      /--out .*project holds files that are not a bgprobe report \(package\.json, src\).*new or empty directory/,
    );
    expect(() => checkOutDir(dir)).toThrow(/package\.json, src/);
    // No temp dir beside it either: refused before anything was written.
    expect(tree(root)).toEqual(before);
    expect(readFileSync(join(dir, 'src', 'index.ts'), 'utf8')).toBe('export {};');
  });

  it('counts a directory with a report file name, and names the rest past five', () => {
    const dir = join(root, 'out');
    mkdirSync(join(dir, 'report.json'), { recursive: true });
    for (const f of ['a', 'b', 'c', 'd', 'e', 'f']) writeFileSync(join(dir, f), '');
    expect(() => checkOutDir(dir)).toThrow(/\(a, b, c, d, e and 2 more\)/);
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
  });

  it('bgprobe compat --out <project> stops before the run', async () => {
    const dir = project();
    const options: CompatOptions = {
      browsers: [],
      scenarios: [],
      out: dir,
      formats: ['json'],
      workers: 1,
      timeout: 1000,
      baseline: null,
      durations: null,
      failOn: ['errors'],
      shard: null,
      headless: true,
      stepSummary: false,
      retries: 1,
      repeat: 1,
      fixtureHost: null,
    };
    await expect(runCompatCommand(options, ctx())).rejects.toThrow(/holds files that are not a bgprobe report/);
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
  });

  it('bgprobe merge --out <project> writes nothing', async () => {
    const dir = project();
    const shard = join(root, 'shard.json');
    writeFileSync(shard, renderJson(report));
    await expect(
      runMergeCommand({ inputs: [shard], out: dir, formats: ['json'], baseline: null, failOn: [], stepSummary: false }, ctx()),
    ).rejects.toThrow(UsageError);
    expect(tree(dir)).toEqual(['package.json', 'src', 'src/index.ts']);
  });
});

/** This machine's name as the report writer puts it into its temp dirs' names. */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 32) || 'host';

/** The pid of a process that has exited (so no writer owns a temp dir named with it). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('replacing a previous report', () => {
  it('replaces an earlier report and removes the temp dirs a killed write left in it', () => {
    const dir = join(root, 'out');
    writeReport(dir, model([result('old.one', 'chromium', 'deviates')]), ['html', 'json', 'md', 'junit']);
    mkdirSync(join(dir, '.x.tmp-AbC123-old'));
    writeFileSync(join(dir, '.x.tmp-AbC123-old', 'report.json'), '{}');
    writeReport(dir, report, ['json', 'md']);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toContain('fetch.success.one');
    // Nothing left beside it either.
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('a write killed between its two renames: the next one puts the previous report back first', () => {
    const dir = join(root, 'out');
    writeReport(dir, model([result('old.one', 'chromium', 'deviates')]), ['json', 'md']);
    const oldJson = readFileSync(join(dir, 'report.json'), 'utf8');
    // What the killed writer left: the previous report moved aside, the new one not yet in place.
    const gone = deadPid();
    renameSync(dir, join(root, `.out.tmp-${HOST}-${gone}-AbC123-old`));
    mkdirSync(join(root, `.out.tmp-${HOST}-${gone}-AbC123`));
    writeFileSync(join(join(root, `.out.tmp-${HOST}-${gone}-AbC123`), 'report.html'), '<half');
    checkOutDir(dir);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(oldJson);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('leaves the temp dir of a write still running (its process alive) alone', () => {
    const dir = join(root, 'out');
    writeReport(dir, report, ['json']);
    const running = `.out.tmp-${HOST}-${process.pid}-AbC123`;
    // Another machine's (a shared volume), and an earlier version's: judged by their age.
    const foreign = `.out.tmp-otherhost-${deadPid()}-AbC123`;
    const legacy = '.out.tmp-XyZ789';
    const stale = '.out.tmp-otherhost-1-QrS456';
    for (const name of [running, foreign, legacy, stale]) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'report.json'), '{}');
    }
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, stale), hourAgo, hourAgo);
    // A sibling report whose name merely looks like a temp dir of this one is not touched.
    writeReport(join(root, 'out.tmp-1-abcdef'), report, ['json']);
    writeReport(dir, report, ['md']);
    expect(readdirSync(root).sort()).toEqual([foreign, running, legacy, 'out', 'out.tmp-1-abcdef'].sort());
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('a symlinked --out left dangling by a killed write: the previous report goes back where the link points', () => {
    const real = join(root, 'real');
    writeReport(real, model([result('old.one', 'chromium', 'deviates')]), ['json']);
    const oldJson = readFileSync(join(real, 'report.json'), 'utf8');
    symlinkSync(real, join(root, 'link'));
    renameSync(real, join(root, `.real.tmp-${HOST}-${deadPid()}-AbC123-old`));
    // The check before a run already puts it back, through the dangling link.
    checkOutDir(join(root, 'link'));
    expect(readFileSync(join(real, 'report.json'), 'utf8')).toBe(oldJson);
    expect(readdirSync(root).sort()).toEqual(['link', 'real']);
    // And a write through the link after such a kill replaces it where the link points.
    renameSync(real, join(root, `.real.tmp-${HOST}-${deadPid()}-XyZ789-old`));
    writeReport(join(root, 'link'), report, ['md']);
    expect(readdirSync(real)).toEqual(['report.md']);
    expect(readdirSync(root).sort()).toEqual(['link', 'real']);
  });

  it('writes through a symlinked --out and keeps the link', () => {
    const real = join(root, 'real');
    writeReport(real, report, ['json']);
    symlinkSync(real, join(root, 'link'));
    writeReport(join(root, 'link'), report, ['html']);
    expect(readdirSync(real)).toEqual(['report.html']);
    expect(readdirSync(join(root, 'link'))).toEqual(['report.html']);
  });
});

describe('report.html, written a scenario at a time', () => {
  const three = model([
    result('a.one', 'chromium', 'conforms'),
    result('b.two', 'chromium', 'deviates'),
    result('c.three', 'chromium', 'error'),
  ]);

  it('the file holds the very page renderHtml gives, sent in pieces: the page, then each scenario', () => {
    const dir = join(root, 'out');
    writeReport(dir, three, ['html']);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(renderHtml(three));
    const chunks: string[] = [];
    renderHtmlTo(three, (c) => chunks.push(c));
    // Head, three sections, tail: no piece holds more than one scenario's evidence.
    expect(chunks).toHaveLength(5);
    expect(chunks.filter((c) => c.includes('<section class="scenario'))).toHaveLength(3);
    expect(chunks[4]).toContain('</html>');
  });

  it('a renderer that fails half-way through the file costs neither the previous report nor a temp dir', () => {
    const dir = join(root, 'out');
    writeReport(dir, report, ['html', 'json']);
    const before = { html: readFileSync(join(dir, 'report.html'), 'utf8'), json: readFileSync(join(dir, 'report.json'), 'utf8') };
    // The last scenario's evidence is broken: the page head and the first sections are on disk by then.
    const broken = model([
      result('a.one', 'chromium', 'deviates'),
      result('b.two', 'chromium', 'conforms', { evidence: { ...emptyEvidence(), events: null as never } }),
    ]);
    expect(() => writeReport(dir, broken, ['html', 'json'])).toThrow(TypeError);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(before.html);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(before.json);
    expect(readdirSync(root)).toEqual(['out']);
  });
});

describe('re-rendering the report a directory holds', () => {
  it('bgprobe report dir/report.json --format html keeps report.json (and the other files)', async () => {
    const dir = join(root, 'bgprobe-report');
    writeReport(dir, report, ['json', 'md']);
    const json = readFileSync(join(dir, 'report.json'), 'utf8');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(await runReportCommand({ input: 'bgprobe-report/report.json', out: 'bgprobe-report', formats: ['html'] }, ctx())).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(json);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(md);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('fetch.success.one');
  });

  it('bgprobe merge keeps an input that sits in --out when it does not write json', async () => {
    const dir = join(root, 'merged');
    writeReport(dir, report, ['json', 'md']);
    const json = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(
      await runMergeCommand(
        { inputs: ['merged/report.json'], out: 'merged', formats: ['html'], baseline: null, failOn: [], stepSummary: false },
        ctx(),
      ),
    ).toBe(0);
    // The input stays; the stale Markdown of the old report does not.
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(json);
  });
});
