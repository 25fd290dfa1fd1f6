/**
 * bgprobe/playwright as a user meets it: a fresh project under the OS temp dir installs the
 * `npm pack` tarball plus @playwright/test, writes its own playwright.config.ts and specs, and
 * runs `npx playwright test` in a child process. Then the JSON report is read back: the passing
 * spec passed; the failing one printed the matcher's message and attached the timelines; a
 * WebKit project was skipped with the reason; a chrome-headless-shell path failed fast with
 * the fix. Nothing is imported from src/: only what the tarball ships is exercised.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO, childEnv, describeRun, installInto, packTarball, run, type Run } from '../helpers/user-project.js';

// ---- the user's project ------------------------------------------------------------------

function userConfig(shellPath: string): string {
  return `import { defineConfig } from '@playwright/test';

const executablePath = process.env.BGPROBE_BROWSER || '/usr/bin/chromium';
const args = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : [];

export default defineConfig({
  testDir: 'tests',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: 'results.json' }]],
  use: { headless: true, launchOptions: { executablePath, args } },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testMatch: /(podcast|typing|fail)\\.spec\\.ts$/ },
    { name: 'webkit', use: { browserName: 'webkit' }, testMatch: /skip\\.spec\\.ts$/ },
    { name: 'shell', use: { browserName: 'chromium', launchOptions: { executablePath: ${JSON.stringify(shellPath)}, args } }, testMatch: /shell\\.spec\\.ts$/ },
  ],
});
`;
}

const USER_SPECS: Record<string, string> = {
  // Type-checked only (no project matches it): the run modes as a user imports them.
  'library.ts': `import { record, runAudit, runCompat, runWpt, resolveCompatConfig, type AuditRunOptions, type CompatConfig } from 'bgprobe';

export const audit: AuditRunOptions = { url: 'http://127.0.0.1:8080/app/', clicks: ['#download'], timeout: 30_000 };
// @ts-expect-error -- an option that does not exist
export const typo: AuditRunOptions = { clikcs: ['#download'] };
export const config: CompatConfig = resolveCompatConfig({ scenarios: ['fetch.*'], workers: 1 });
export const runs = [runAudit, runCompat, runWpt, record] as const;
`,
  'typing.spec.ts': `import { test } from 'bgprobe/playwright';

test.describe('typing', () => {
  // @ts-expect-error -- an option that does not exist
  test.use({ bgprobe: { probs: false } });
  test.skip(true, 'only type-checked');
  test('unused', () => {});
});
`,
  'fail.spec.ts': `import { test, expect } from 'bgprobe/playwright';

test('a 404 fails the download', async ({ page, backgroundFetch, fixtureServer }) => {
  await page.goto(fixtureServer.url + '/podcast/?media=res&status=404');
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.click('text=Download episode 4');
  const fetch = await backgroundFetch.waitForFetch('episode-4');
  await expect(fetch).toSucceed();
});
`,
  'skip.spec.ts': `import { test } from 'bgprobe/playwright';

test('skipped outside Chromium', async ({ backgroundFetch }) => {
  await backgroundFetch.waitForFetch('never');
});
`,
  'shell.spec.ts': `import { test } from 'bgprobe/playwright';

test('refused on chrome-headless-shell', async ({ backgroundFetch }) => {
  await backgroundFetch.waitForFetch('never');
});
`,
};

/** The example spec of docs/playwright.md, verbatim: the docs promise it runs as is. */
async function docsExample(): Promise<string> {
  const docs = await readFile(join(REPO, 'docs/playwright.md'), 'utf8');
  const m = /```ts\n(\/\/ tests\/podcast\.spec\.ts\n[\s\S]*?)```/.exec(docs);
  if (!m?.[1]) throw new Error('docs/playwright.md has no ```ts block starting with // tests/podcast.spec.ts');
  return m[1];
}

// The parts of Playwright's JSON reporter output read here.
interface JsonAttachment {
  name: string;
  contentType: string;
  path?: string;
  body?: string;
}
interface JsonResult {
  status: string;
  duration: number;
  errors: Array<{ message?: string }>;
  attachments: JsonAttachment[];
  annotations?: Array<{ type: string; description?: string }>;
}
interface JsonTest {
  title: string;
  status: string;
  annotations: Array<{ type: string; description?: string }>;
  results: JsonResult[];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: Array<{ title: string; tests: Array<Omit<JsonTest, 'title'>> }>;
}
interface JsonReport {
  suites: JsonSuite[];
}

function flattenTests(report: JsonReport): JsonTest[] {
  const out: JsonTest[] = [];
  const walk = (s: JsonSuite) => {
    for (const spec of s.specs ?? []) for (const t of spec.tests) out.push({ ...t, title: spec.title });
    for (const child of s.suites ?? []) walk(child);
  };
  for (const s of report.suites) walk(s);
  return out;
}

// ---- the run -----------------------------------------------------------------------------

test.describe.configure({ mode: 'serial' });

let work = '';
let project = '';
let report: JsonReport;
let output: Run;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const env = childEnv();
  work = await mkdtemp(join(tmpdir(), 'bgprobe-user-'));

  const tarball = await packTarball(work, env);
  project = join(work, 'project');
  await mkdir(join(project, 'tests'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'bgprobe-user', private: true, type: 'module' }, null, 2));
  await installInto(project, tarball, env);

  // chrome-headless-shell is recognised by its path too: a link named like it, to a full Chromium.
  await symlink(process.env['BGPROBE_BROWSER'] ?? '/usr/bin/chromium', join(work, 'headless_shell'));
  await writeFile(join(project, 'playwright.config.ts'), userConfig(join(work, 'headless_shell')));
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        include: ['tests', 'playwright.config.ts'],
      },
      null,
      2,
    ),
  );
  for (const [name, text] of Object.entries(USER_SPECS)) await writeFile(join(project, 'tests', name), text);
  await writeFile(join(project, 'tests/podcast.spec.ts'), await docsExample());

  output = await run(process.execPath, [join(project, 'node_modules/@playwright/test/cli.js'), 'test'], project, env, 300_000);
  const json = join(project, 'results.json');
  expect(existsSync(json), describeRun('npx playwright test', output)).toBe(true);
  report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
});

test.afterAll(async () => {
  if (work && !process.env['BGPROBE_KEEP_TMP']) await rm(work, { recursive: true, force: true });
});

function find(title: string): JsonTest {
  const t = flattenTests(report).find((x) => x.title === title);
  if (!t) throw new Error(`no test "${title}" in the child's report:\n${describeRun('npx playwright test', output)}`);
  return t;
}

test('every relative link of the shipped README and docs/ pages resolves inside the installed package', async () => {
  const root = join(project, 'node_modules/bgprobe');
  const pages = ['README.md', ...(await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const text = await readFile(join(root, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (!target || /^[a-z]+:/i.test(target)) continue;
      if (!existsSync(join(root, dirname(page), target))) broken.push(`${page} -> ${target}`);
    }
  }
  expect(pages.length).toBeGreaterThan(1);
  expect(broken).toEqual([]);
});

test('the example of docs/playwright.md passes as is', () => {
  for (const title of ['episode downloads in the background', 'a missing file fails the download']) {
    const t = find(title);
    expect(t.status, `${title}\n${describeRun('npx playwright test', output)}`).toBe('expected');
    expect(t.results.at(-1)?.attachments.map((a) => a.name)).not.toContain('bgprobe-timelines.txt');
  }
});

test('a failing fetch prints the matcher message and attaches the timelines', async () => {
  expect(output.code).toBe(1);
  const t = find('a 404 fails the download');
  expect(t.status).toBe('unexpected');
  const result = t.results.at(-1)!;
  const message = result.errors.map((e) => e.message ?? '').join('\n');
  expect(message).toContain('expect(received).toSucceed() failed');
  expect(message).toContain('Expected: success');
  expect(message).toContain('Received: failure (bad-status)');
  expect(message).toContain('Timeline so far:');
  expect(output.stdout).toContain('Received: failure (bad-status)');

  const byName = new Map(result.attachments.map((a) => [a.name, a]));
  const text = byName.get('bgprobe-timelines.txt');
  const json = byName.get('bgprobe-timelines.json');
  expect(text?.contentType).toBe('text/plain');
  expect(json?.contentType).toBe('application/json');
  const body = async (a: NonNullable<typeof json>) =>
    a.body !== undefined ? Buffer.from(a.body, 'base64').toString('utf8') : await readFile(a.path!, 'utf8');
  expect(await body(text!)).toMatch(/Background fetch "episode-4" \(http:\/\/127\.0\.0\.1:\d+\/, registration \d+\): failure \(bad-status/);
  const attached = JSON.parse(await body(json!)) as {
    version: number;
    timelines: Array<{
      id: string;
      outcome: string;
      failureReason: string;
      requests: Array<{ status: number; served?: Array<{ status: number }> }>;
    }>;
  };
  expect(attached.version).toBe(1);
  expect(attached.timelines.map((x) => [x.id, x.outcome, x.failureReason])).toEqual([['episode-4', 'failure', 'bad-status']]);
  expect(attached.timelines[0].requests[0].served?.[0]?.status).toBe(404);
});

test('a WebKit project is skipped with the reason, before any browser is launched', () => {
  const t = find('skipped outside Chromium');
  expect(t.status).toBe('skipped');
  const annotations = [...t.annotations, ...(t.results.at(-1)?.annotations ?? [])];
  expect(annotations.find((a) => a.type === 'skip')?.description).toContain(
    'project "webkit" runs webkit, which has no Background Fetch API',
  );
});

test('chrome-headless-shell fails fast with how to fix the config', () => {
  const t = find('refused on chrome-headless-shell');
  expect(t.status).toBe('unexpected');
  const result = t.results.at(-1)!;
  const message = result.errors.map((e) => e.message ?? '').join('\n');
  expect(message).toContain('project "shell" runs chrome-headless-shell');
  expect(message).toContain("channel: 'chromium'");
  expect(result.duration).toBeLessThan(30_000);
});

test('the run modes are library calls of the packed package: runCompat, runAudit, runWpt, record', async () => {
  const names = ['runCompat', 'runAudit', 'runWpt', 'record', 'resolveCompatConfig', 'resolveAuditConfig', 'resolveWptConfig'];
  const probe = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import('bgprobe'); console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => typeof m[n])))`,
    ],
    project,
    childEnv(),
    60_000,
  );
  expect(probe.code, describeRun('node -e import("bgprobe")', probe)).toBe(0);
  expect(JSON.parse(probe.stdout.trim())).toEqual(names.map(() => 'function'));
});

// skipLibCheck as `tsc --init` sets it: with it off, dist/browsers/connect.d.ts needs
// @types/chrome-remote-interface, which package.json lists only as a devDependency.
test('the packed package type-checks in the user project (options are typed)', async () => {
  const tsc = await run(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')],
    project,
    childEnv(),
    120_000,
  );
  expect(tsc.code, describeRun('tsc in the user project', tsc)).toBe(0);
});
