/**
 * The README and the docs/ pages show what runs. Read from the Markdown itself, never from a
 * list kept here:
 * - every `bgprobe ...` command of a ```sh block (and every `$ bgprobe` line of a transcript)
 *   parses with the CLI's own parser, and each `--scenario` glob names a real scenario;
 * - a code block headed `// examples/<file>` is that file verbatim (the files run in
 *   test/e2e/readme-example.spec.ts), and every file in examples/ is shown on a page;
 * - the README's Playwright example is the runnable one of docs/playwright.md (which
 *   test/e2e/package-user.spec.ts runs from a packed tarball), lines left out but none changed;
 * - every relative link and #anchor resolves;
 * - the pages a newcomer is sent to exist, each with a checked example.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse.js';
import { SCENARIOS, SKIPPED, selectionMatcher } from '../../src/scenarios/registry.js';
import { anchors, commandLines, fences, flagValues, readDocs, relativeLinks, type CommandLine, type DocFile } from '../helpers/docs.js';

const docs = readDocs();
const readme = docs.find((d) => d.path === 'README.md') as DocFile;
const commands = docs.flatMap(commandLines);
const PAGES = ['cli', 'playwright', 'audit', 'wpt', 'engines-and-bcd', 'reports', 'library', 'ci', 'what-chromium-does'];
const SCENARIO_IDS = [...SCENARIOS, ...SKIPPED].map((s) => s.id);

/** What is wrong with one documented command line, or null when it parses to a run (or help). */
async function problem(cmd: CommandLine): Promise<string | null> {
  try {
    const parsed = await parseArgs(cmd.argv);
    if (parsed.kind !== 'run' && parsed.kind !== 'help') return `parses to ${parsed.kind}, not a command`;
  } catch (e) {
    return (e as Error).message;
  }
  for (const glob of flagValues(cmd.argv, 'scenario').flatMap((v) => v.split(','))) {
    const match = selectionMatcher([glob]);
    if (!SCENARIO_IDS.some(match)) return `--scenario ${glob} matches no scenario`;
  }
  return null;
}

/** The example file a fence shows, and the fence's body without its `// examples/...` line. */
function exampleFences(): Array<{ file: string; page: string; body: string }> {
  return docs.flatMap((d) =>
    fences(d).flatMap((f) => {
      const m = /^\/\/ (examples\/\S+)\n/.exec(f.body);
      return m?.[1] ? [{ file: m[1], page: d.path, body: f.body.slice(m[0].length) }] : [];
    }),
  );
}

/** A file's text without its leading comment lines (how to run it), as a page shows it. */
function withoutHeader(text: string): string {
  const lines = text.split('\n');
  while (lines[0]?.startsWith('//')) lines.shift();
  return lines.join('\n').trim();
}

describe('the documented command lines', () => {
  it('are found in README.md and docs/*.md', () => {
    // Not a count to keep in step: enough that the reader below is reading the pages at all.
    expect(commands.length).toBeGreaterThan(30);
    for (const sub of ['compat', 'audit', 'wpt', 'record', 'serve', 'report', 'diff', 'merge', 'scenarios']) {
      expect(
        commands.some((c) => c.argv[0] === sub),
        `no page shows a bgprobe ${sub} command`,
      ).toBe(true);
    }
  });

  it("each parses with the CLI's parser, and each --scenario names a scenario", async () => {
    const problems: string[] = [];
    for (const cmd of commands) {
      const p = await problem(cmd);
      if (p) problems.push(`${cmd.file}:${cmd.line}: bgprobe ${cmd.argv.join(' ')}\n    ${p}`);
    }
    expect(problems.join('\n')).toBe('');
  });

  it('the check fails on a typo (a flag, a value, a command, a scenario)', async () => {
    const page = (line: string): DocFile => ({ path: 'docs/typo.md', text: `# Typo\n\n\`\`\`sh\n${line}\n\`\`\`\n` });
    const lines = [
      "bgprobe compat --scenaro 'fetch.*'",
      'bgprobe compat --format md,junt',
      'bgprobe audit http://127.0.0.1:8080/podcast/ --fail-on warnings',
      'bgprobe merg shard1/report.json',
      "bgprobe compat --scenario 'fetch.sucess.*'",
      'bgprobe wpt --wpt-root wpt --retries -1',
    ];
    for (const line of lines) {
      const [cmd] = commandLines(page(line));
      expect(cmd, line).toBeDefined();
      expect(await problem(cmd), line).not.toBeNull();
    }
    // And the same lines spelt right pass, so it is the typo that fails them.
    const right = [
      "bgprobe compat --scenario 'fetch.*'",
      'bgprobe compat --format md,junit',
      'bgprobe audit http://127.0.0.1:8080/podcast/ --fail-on warning',
      'bgprobe merge shard1/report.json',
      "bgprobe compat --scenario 'fetch.success.*'",
      'bgprobe wpt --wpt-root wpt --retries 0',
    ];
    for (const line of right) expect(await problem(commandLines(page(line))[0]), line).toBeNull();
  });

  it('reads transcripts, continuation lines and chained commands as a shell would', () => {
    const page: DocFile = {
      path: 'docs/shape.md',
      text: [
        '```',
        "$ bgprobe audit http://x/ --click 'text=Download episode 1'",
        'Opened http://x/  (output, not a command: bgprobe wpt --nope)',
        '```',
        '```sh',
        'bgprobe compat --shard 1/2 --out a && \\',
        '  npx bgprobe merge a/report.json --out m   # a comment --nope',
        'bgprobe serve --port 8080 &',
        '```',
        '```ts',
        "bgprobe('not a shell line')",
        '```',
      ].join('\n'),
    };
    expect(commandLines(page).map((c) => c.argv)).toEqual([
      ['audit', 'http://x/', '--click', 'text=Download episode 1'],
      ['compat', '--shard', '1/2', '--out', 'a'],
      ['merge', 'a/report.json', '--out', 'm'],
      ['serve', '--port', '8080'],
    ]);
  });
});

describe('the documented examples', () => {
  it('every block headed // examples/<file> is that file verbatim', () => {
    const shown = exampleFences();
    expect(shown.length).toBeGreaterThan(0);
    for (const { file, page, body } of shown) {
      expect(existsSync(file), `${page} shows ${file}, which does not exist`).toBe(true);
      expect(body.trim(), `${page}: the block of ${file} differs from the file`).toBe(withoutHeader(readFileSync(file, 'utf8')));
    }
  });

  it('every file in examples/ is shown on a page', () => {
    const shown = new Set(exampleFences().map((e) => e.file));
    // A project folder (examples/playwright-reporter/) is shown by showing files of it.
    const inFolder = (dir: string) => [...shown].some((s) => s.startsWith(`${dir}/`));
    for (const f of readdirSync('examples'))
      expect(shown.has(`examples/${f}`) || inFolder(`examples/${f}`), `examples/${f} is on no page`).toBe(true);
  });

  it("the README's Playwright test is docs/playwright.md's runnable spec, lines left out, none changed", () => {
    const spec = fences(docs.find((d) => d.path === 'docs/playwright.md') as DocFile).find((f) =>
      f.body.startsWith('// tests/podcast.spec.ts'),
    );
    const shown = fences(readme).find((f) => f.lang === 'ts' && f.body.includes("from 'bgprobe/playwright'"));
    expect(spec && shown).toBeTruthy();
    const pool = (spec?.body ?? '').split('\n');
    let at = 0;
    for (const line of (shown?.body ?? '').split('\n').filter((l) => l.trim())) {
      while (at < pool.length && pool[at] !== line) at++;
      expect(at < pool.length, `README line not in docs/playwright.md's spec (in order): ${line}`).toBe(true);
      at++;
    }
  });
});

describe('the pages', () => {
  it('README.md is a front page: at most ~200 lines, the two set-up commands, a link to every page', () => {
    expect(readme.text.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme.text).toContain('make compat');
    expect(readme.text).toContain('make test');
    for (const page of PAGES) expect(readme.text, `README links docs/${page}.md`).toContain(`](docs/${page}.md)`);
    expect(readme.text).toMatch(/^## What bgprobe changes in the page$/m);
  });

  it('each page exists and shows an example a test checks', () => {
    for (const page of PAGES) {
      const doc = docs.find((d) => d.path === `docs/${page}.md`);
      expect(doc, `docs/${page}.md`).toBeDefined();
      const checked = commandLines(doc as DocFile).length + exampleFences().filter((e) => e.page === doc?.path).length;
      const runsAsSpec = page === 'playwright'; // its spec runs in test/e2e/package-user.spec.ts
      expect(checked > 0 || runsAsSpec, `docs/${page}.md has no checked example`).toBe(true);
    }
  });

  it('every relative link and #anchor resolves', () => {
    const broken: string[] = [];
    for (const doc of docs) {
      for (const { target } of relativeLinks(doc)) {
        const [path = '', anchor] = target.split('#');
        const file = path ? normalize(join(dirname(doc.path), path)) : doc.path;
        if (!existsSync(file)) {
          broken.push(`${doc.path}: ${target} (no ${file})`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor))
          broken.push(`${doc.path}: ${target} (no heading #${anchor} in ${file})`);
      }
    }
    expect(broken.join('\n')).toBe('');
  });

  it("what the CLI's messages send a reader to is there: a sparse WPT checkout under the README's bgprobe wpt", () => {
    // src/cli/commands/wpt.args.ts and src/wpt/checkout.ts say: README: "bgprobe wpt" shows a sparse checkout.
    const section = /^## `bgprobe wpt`[^\n]*\n([\s\S]*?)(?=^## )/m.exec(readme.text)?.[1] ?? '';
    expect(section).toContain('git sparse-checkout set');
  });

  it('the link check fails on a broken anchor', () => {
    expect(anchors('# T\n## `bgprobe compat`\n### A browser that crashes\n').has('bgprobe-compat')).toBe(true);
    expect(anchors('## Set-up\n').has('setup')).toBe(false);
  });
});
