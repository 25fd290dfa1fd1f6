/**
 * A report says which command made it: the HTML page's <title> and heading, report.md's first
 * line (the GitHub step summary's heading) and JUnit's <testsuites name>. A shard and a merge
 * say so too; a report without a command (older ones, a merge of different commands) is
 * `bgprobe report`, never a command it may not have been.
 */
import { describe, expect, it } from 'vitest';
import { mergeReports } from '../../src/report/merge.js';
import type { ReportCommand, ReportModel } from '../../src/report/model.js';
import { render } from '../../src/report/write.js';
import { model, result } from './report-fixture.js';

function made(command: ReportCommand | undefined, run: Partial<ReportModel['run']> = {}, scenario = 'fetch.success.one'): ReportModel {
  const m = model([result(scenario, 'chromium', 'conforms')]);
  return { ...m, run: { ...m.run, ...(command ? { command } : {}), ...run } };
}

function titles(m: ReportModel): { title: string; h1: string; md: string; junit: string } {
  const html = render(m, 'html');
  return {
    title: /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '',
    h1: (/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ''),
    md: render(m, 'md').split('\n')[0] ?? '',
    junit: /<testsuites name="([^"]*)"/.exec(render(m, 'junit'))?.[1] ?? '',
  };
}

describe('report titles', () => {
  it.each(['compat', 'wpt', 'audit'] as const)('a %s report is titled bgprobe %s in HTML, Markdown and JUnit', (command) => {
    expect(titles(made(command))).toEqual({
      title: `bgprobe ${command}`,
      h1: `bgprobe ${command}`,
      md: `## bgprobe ${command}`,
      junit: `bgprobe ${command}`,
    });
  });

  it('a report that does not say (written before the field) is "bgprobe report"', () => {
    expect(titles(made(undefined))).toEqual({
      title: 'bgprobe report',
      h1: 'bgprobe report',
      md: '## bgprobe report',
      junit: 'bgprobe report',
    });
  });

  it('a shard and a merge say which part of the run they are', () => {
    const shard = titles(made('wpt', { shard: { index: 1, total: 2 } }));
    expect([shard.title, shard.md]).toEqual(['bgprobe wpt (shard 1/2)', '## bgprobe wpt (shard 1/2)']);
    const merged = mergeReports([
      { model: made('wpt', { shard: { index: 1, total: 2 } }), source: 'a' },
      { model: made('wpt', { shard: { index: 2, total: 2 } }, 'fetch.success.multi-request'), source: 'b' },
    ]);
    expect(merged.run.command).toBe('wpt');
    const t = titles(merged);
    expect([t.title, t.h1, t.md]).toEqual([
      'bgprobe wpt (merged from 2 shard reports)',
      'bgprobe wpt merged from 2 shard reports',
      '## bgprobe wpt (merged from 2 shard reports)',
    ]);
  });

  it("a merge of different commands' reports claims neither", () => {
    const merged = mergeReports([
      { model: made('compat', { shard: { index: 1, total: 2 } }), source: 'a' },
      { model: made('audit', { shard: { index: 2, total: 2 } }, 'fetch.success.multi-request'), source: 'b' },
    ]);
    expect(merged.run.command).toBeUndefined();
    expect(titles(merged).md).toBe('## bgprobe report (merged from 2 shard reports)');
  });
});
