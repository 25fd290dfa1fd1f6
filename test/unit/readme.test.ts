/**
 * The README's examples must be the ones that run: the library example block is the file
 * examples/record-a-fetch.mjs verbatim (the file itself runs in test/e2e/readme-example.spec.ts),
 * and every CLI command and flag it names exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('shows examples/record-a-fetch.mjs verbatim', () => {
    const file = readFileSync('examples/record-a-fetch.mjs', 'utf8');
    const body = file.split('\n').filter((l) => !l.startsWith('// Run:') && !l.startsWith('// Record one')).join('\n').trim();
    expect(readme).toContain(body);
  });

  it('names the two set-up commands', () => {
    expect(readme).toContain('make compat');
    expect(readme).toContain('make test');
  });

  it.each([
    ['compat', '--help'],
    ['record', '--help'],
    ['report', '--help'],
    ['diff', '--help'],
    ['merge', '--help'],
    ['serve', '--help'],
    ['scenarios', '--help'],
    ['audit', '--help'],
    ['wpt', '--help'],
  ])('documents a real command: %s', async (...argv) => {
    expect((await parseArgs(argv)).kind).toBe('help');
    expect(readme).toContain(`bgprobe ${argv[0]}`);
  });

  it('every flag shown for compat, record, audit and wpt parses', async () => {
    const runs = [
      ['compat', '--scenario', 'fetch.*', '--format', 'md,junit'],
      ['compat', '--browser', '/usr/bin/chromium', '--browser', '/usr/bin/chromium', '--browser-args=', '--browser-args=--disable-blink-features=BackgroundFetch', '--label', 'on', '--label', 'off'],
      ['compat', '--shard', '1/2', '--out', 'shard1'],
      ['record', '--endpoint', 'http://127.0.0.1:9222', '--out', 'backgroundFetch.json'],
      ['record', '--url', 'http://127.0.0.1:8080/podcast/', '--duration', '30', '--ndjson'],
      ['audit', 'http://127.0.0.1:8080/podcast/', '--click', 'text=Download episode 1'],
      ['audit', 'http://127.0.0.1:8080/unknown-event-listener/', '--click', '#download'],
      ['wpt', '--wpt-root', 'wpt'],
      ['wpt', 'background-fetch/fetch*.js', '--wpt-root', 'wpt', '--baseline', 'last/wptreport.json'],
    ];
    for (const argv of runs) expect((await parseArgs(argv)).kind, argv.join(' ')).toBe('run');
  });
});
