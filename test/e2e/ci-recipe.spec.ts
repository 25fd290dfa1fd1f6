// The CI recipes in docs/ci/ are run, not only read: each workflow file is parsed, the shell of
// its shard and merge jobs is executed in order, in temporary job directories, with the CI's
// environment, on a small scenario subset in two shards, against real Chromium. What a CI
// service does between steps (artifacts, caches, the JUnit upload, the GitLab API) this file
// does itself, by copying directories. The contract between the recipes and this file (what it
// skips, what it emulates) is written in docs/ci.md, "The recipe test".
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
// Fast, and one of them deviates on Chromium (the planted regression needs a deviation).
const SUBSET = ['api.exposure.window', 'fetch.reject.empty-requests', 'failure.dropped-mid-body'];
const DEVIATING = 'failure.dropped-mid-body';
const SELECTION = SUBSET.join(',');
/** A set-up command the recipes may hide from this test (docs/ci.md). */
const INSTALL_LINE = /^(apt-get|npm ci|make)\b/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Report {
  results: Array<{ scenarioId: string; browser: string; verdict: string }>;
  comparison: { regressions: number; changes: Array<{ scenarioId: string; kind: string }> } | null;
}

/** A scenario id as report.md writes it (Markdown-escaped hyphens). */
const mdId = (id: string) => id.replace(/-/g, '\\-');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;
const verdicts = (r: Report) => Object.fromEntries(r.results.map((x) => [`${x.scenarioId}@${x.browser}`, x.verdict]));

/** The environment a CI job starts from: this machine's, without any CI's own variables. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|GITLAB_|CI_|RUNNER_)/.test(k) && k !== 'CI'));
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    // GitHub's `shell: bash` and GitLab's bash both stop at the first failing command.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A job's checkout of "the user's project": bgprobe installed as `npm ci` would (a .bin entry). */
function jobDir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, devDependencies: { bgprobe: '*' } }));
  const bin = join(dir, 'node_modules/.bin/bgprobe');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(bin, 0o755);
  return dir;
}

/** Set-up steps are skipped; they must hold nothing but set-up, or the test would miss logic. */
function assertInstallOnly(lines: string[], where: string): void {
  for (const line of lines.map((l) => l.trim()).filter(Boolean)) expect(line, `${where} may only install`).toMatch(INSTALL_LINE);
}

// ---------------------------------------------------------------- GitHub Actions

interface GhStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number>;
  env?: Record<string, string>;
}
interface GhJob {
  steps: GhStep[];
  env?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown[]> };
}
interface GhWorkflow {
  env: Record<string, string>;
  jobs: Record<string, GhJob>;
}

type Matrix = Record<string, string | number>;

/** `${{ matrix.x }}` substituted; any other expression in a run: step is a drift this test must see. */
function expand(text: string, matrix: Matrix): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^matrix\.(\w+)$/.exec(expr);
    if (!m || !(m[1] in matrix)) throw new Error(`the recipe test cannot evaluate \${{ ${expr} }}`);
    return String(matrix[m[1]]);
  });
}

/**
 * The step conditions a recipe may use (docs/ci.md lists them), as GitHub evaluates them on a
 * run of the default branch that nobody cancelled. Any other condition fails the test.
 */
const CONDITIONS: Record<string, (failed: boolean) => boolean> = {
  '!cancelled()': () => true,
  'always()': () => true,
  'success()': (failed) => !failed,
  'failure()': (failed) => failed,
  'success() && github.ref_name == github.event.repository.default_branch': (failed) => !failed,
};

function condition(expr: string | undefined, failed: boolean): boolean {
  if (expr === undefined) return !failed;
  const key = expr.replace(/^\$\{\{\s*|\s*\}\}$/g, '').replace(/\s+/g, ' ');
  const known = CONDITIONS[key];
  if (!known) throw new Error(`the recipe test cannot evaluate if: ${expr}: use one of docs/ci.md's conditions`);
  return known(failed);
}

interface GhCi {
  /** Uploaded artifacts by name: a directory this test keeps. */
  artifacts: Map<string, string>;
  /** What actions/cache saved, by path: the directory as it was saved. */
  cache: Map<string, string>;
  store: string;
}

interface StepRun extends Run {
  label: string;
  skipped: boolean;
}

function emulate(step: GhStep, dir: string, matrix: Matrix, ci: GhCi): void {
  const action = step.uses!.replace(/@.*$/, '');
  // Only the inputs emulated here are read (a cache key's ${{ github.run_id }} is not).
  const read = ['name', 'path', 'pattern', 'report_paths'];
  const w = Object.fromEntries(
    Object.entries(step.with ?? {})
      .filter(([k]) => read.includes(k))
      .map(([k, v]) => [k, expand(String(v), matrix)]),
  );
  if (action === 'actions/checkout') return; // the job directory is the checkout
  if (action === 'actions/upload-artifact') {
    const kept = join(ci.store, `artifact-${w['name']}`);
    const paths = w['path']
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const p of paths) expect(existsSync(join(dir, p)), `artifact ${w['name']}: ${p}`).toBe(true);
    // The artifact's root is the paths' least common ancestor: one directory uploads its contents.
    if (paths.length === 1) cpSync(join(dir, paths[0]), kept, { recursive: true });
    else for (const p of paths) cpSync(join(dir, p), join(kept, p), { recursive: true });
    ci.artifacts.set(w['name'], kept);
    return;
  }
  if (action === 'actions/download-artifact') {
    const re = new RegExp(`^${w['pattern'].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    // Several artifacts by pattern: each in <path>/<artifact name>/.
    for (const [name, kept] of ci.artifacts) if (re.test(name)) cpSync(kept, join(dir, w['path'], name), { recursive: true });
    return;
  }
  if (action === 'actions/cache/restore') {
    const saved = ci.cache.get(w['path']);
    if (saved) cpSync(saved, join(dir, w['path']), { recursive: true });
    return;
  }
  if (action === 'actions/cache/save') {
    const kept = join(ci.store, `cache-${ci.cache.size}-${readdirSync(ci.store).length}`);
    cpSync(join(dir, w['path']), kept, { recursive: true });
    ci.cache.set(w['path'], kept);
    return;
  }
  if (action === 'mikepenz/action-junit-report') {
    const xml = readFileSync(join(dir, w['report_paths']), 'utf8');
    expect(XMLValidator.validate(xml), 'junit.xml is valid XML').toBe(true);
    return;
  }
  throw new Error(`the recipe test does not know the action ${step.uses}: emulate it here and say so in docs/ci.md`);
}

async function runGhJob(job: GhJob, wf: GhWorkflow, dir: string, matrix: Matrix, ci: GhCi, summary: string): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  let failed = false;
  for (const step of job.steps) {
    const label = step.id ?? step.name ?? step.uses ?? step.run!.slice(0, 40);
    if (step.id?.startsWith('install-')) {
      assertInstallOnly(step.run!.split('\n'), `step ${step.id}`);
      runs.push({ label, skipped: true, code: null, stdout: '', stderr: '' });
      continue;
    }
    if (!condition(step.if, failed)) {
      runs.push({ label, skipped: true, code: null, stdout: '', stderr: '' });
      continue;
    }
    if (step.uses) {
      try {
        emulate(step, dir, matrix, ci);
      } catch (e) {
        const last = runs.filter((r) => r.code).at(-1);
        throw new Error(`${step.uses}: ${String(e)}${last ? `\nafter the failed step ${last.label}:\n${last.stderr}` : ''}`);
      }
      runs.push({ label, skipped: false, code: 0, stdout: '', stderr: '' });
      continue;
    }
    const env = {
      ...baseEnv(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: dir,
      ...wf.env,
      ...job.env,
      ...step.env,
      BGPROBE_SCENARIOS: SELECTION,
    };
    const run = await bash(expand(step.run!, matrix), dir, env);
    runs.push({ label, skipped: false, ...run });
    if (run.code !== 0) failed = true;
  }
  return runs;
}

/** The shard matrix cut to two shards; every other dimension as the workflow lists it. */
function shardMatrix(job: GhJob): Matrix[] {
  const dims: Record<string, unknown[]> = { ...job.strategy!.matrix, shardIndex: [1, 2], shardTotal: [2] };
  expect(Object.keys(job.strategy!.matrix)).toEqual(expect.arrayContaining(['shardIndex', 'shardTotal']));
  let combos: Matrix[] = [{}];
  for (const [k, values] of Object.entries(dims)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v as string | number })));
  return combos;
}

const step = (runs: StepRun[], label: string) => {
  const s = runs.find((r) => r.label === label);
  if (!s) throw new Error(`no step ${label}`);
  return s;
};

// ---------------------------------------------------------------- GitLab CI

interface GlJob {
  parallel?: number;
  before_script?: string[];
  script: string[];
  artifacts: { paths: string[]; reports?: { junit?: string } };
  variables?: Record<string, string>;
}

async function runGlJob(job: GlJob, variables: Record<string, string>, dir: string, extra: Record<string, string>): Promise<Run> {
  assertInstallOnly(job.before_script ?? [], 'before_script');
  const env = { ...baseEnv(), CI: 'true', GITLAB_CI: 'true', ...variables, ...job.variables, ...extra, BGPROBE_SCENARIOS: SELECTION };
  return bash(job.script.join('\n'), dir, env);
}

/** GitLab's API for one file of the default branch's last successful artifacts, or a 404. */
async function fakeGitlabApi(token: string): Promise<{ server: Server; url: string; serve(file: string | null): void; hits: string[] }> {
  let file: string | null = null;
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const ok =
      req.headers['private-token'] === token &&
      req.url === '/api/v4/projects/7/jobs/artifacts/main/raw/bgprobe-report/report.json?job=bgprobe-merge';
    if (!ok || file === null) {
      res.writeHead(404).end('{"message":"404 Not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`, serve: (f) => (file = f), hits };
}

// ---------------------------------------------------------------- the tests

function planted(from: string, into: string): string {
  const report = JSON.parse(readFileSync(from, 'utf8')) as Report;
  const r = report.results.find((x) => x.scenarioId === DEVIATING)!;
  expect(r.verdict, `${DEVIATING} deviates now, so a baseline where it conformed makes a regression`).toBe('deviates');
  r.verdict = 'conforms';
  mkdirSync(dirname(into), { recursive: true });
  writeFileSync(into, JSON.stringify(report, undefined, 2));
  return into;
}

test.describe.serial('the CI recipes in docs/ci/', () => {
  let root: string;
  let reference: Record<string, string>;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    root = mkdtempSync(join(tmpdir(), 'bgprobe-ci-recipe-'));
    expect(existsSync(CLI), 'dist/cli/main.js (the e2e global set-up builds it)').toBe(true);
    // The verdicts of an unsharded run of the same selection: what the merged report must equal.
    const run = await bash(`"${process.execPath}" "${CLI}" compat --scenario "${SELECTION}" --out ref --no-step-summary`, root, {
      ...baseEnv(),
      CI: 'true',
    });
    expect(run.code, run.stderr).toBe(0);
    reference = verdicts(readJson(join(root, 'ref/report.json')));
    expect(Object.keys(reference).sort()).toEqual(SUBSET.map((s) => `${s}@chromium`).sort());
  });
  test.afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('GitHub Actions: two shards, a merge, a step summary, JUnit, then a planted regression turns the merge red', async () => {
    test.setTimeout(240_000);
    const wf = parseYaml(readFileSync(join(REPO, 'docs/ci/github-actions.yml'), 'utf8')) as GhWorkflow;
    const ci: GhCi = { artifacts: new Map(), cache: new Map(), store: join(root, 'gh-store') };
    mkdirSync(ci.store);
    const compat = wf.jobs['compat'];
    const merge = wf.jobs['merge'];
    expect(wf.env['BGPROBE_SCENARIOS'], 'the selection is one variable').toBeDefined();

    const shardRuns: StepRun[][] = [];
    for (const matrix of shardMatrix(compat)) {
      const dir = jobDir(root, `gh-compat-${matrix['shardIndex']}`);
      const runs = await runGhJob(compat, wf, dir, matrix, ci, join(dir, 'step-summary.md'));
      for (const r of runs.filter((x) => !x.skipped)) expect(r.code, `${r.label}: ${r.stderr}`).toBe(0);
      // --no-step-summary on shards: the merge job writes the run's one summary.
      expect(existsSync(join(dir, 'step-summary.md'))).toBe(false);
      shardRuns.push(runs);
    }
    expect([...ci.artifacts.keys()].sort()).toEqual(['bgprobe-shard-1', 'bgprobe-shard-2']);
    // The deviation is annotated by the shard that saw it, one workflow command naming the scenario.
    const warnings = shardRuns
      .flat()
      .flatMap((r) => r.stdout.split('\n'))
      .filter((l) => l.startsWith('::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].startsWith(`::warning title=bgprobe%3A ${DEVIATING} [chromium] deviates::${DEVIATING} [chromium]: `)).toBe(true);

    // First run on the default branch: no baseline yet; the merged report becomes the baseline.
    const first = jobDir(root, 'gh-merge-1');
    const summary1 = join(first, 'step-summary.md');
    const runs1 = await runGhJob(merge, wf, first, {}, ci, summary1);
    expect(step(runs1, 'merge').code, step(runs1, 'merge').stderr).toBe(0);
    expect(step(runs1, 'merge').stdout).toContain('No baseline yet');
    const merged = readJson(join(first, 'bgprobe-report/report.json'));
    expect(verdicts(merged)).toEqual(reference);
    expect(merged.comparison).toBeNull();
    const md = readFileSync(summary1, 'utf8');
    expect(md).toContain('| Scenario | chromium |');
    for (const id of SUBSET) expect(md).toContain(`| ${mdId(id)} |`);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(first, 'bgprobe-report/junit.xml'), 'utf8')) as {
      testsuites: unknown;
    };
    expect(JSON.stringify(junit.testsuites)).toContain(DEVIATING);
    expect(ci.artifacts.has('bgprobe-report')).toBe(true);
    expect(existsSync(join(ci.artifacts.get('bgprobe-report')!, 'report.html'))).toBe(true);
    expect(readJson(join(ci.cache.get('bgprobe-baseline')!, 'report.json')).results).toEqual(merged.results);

    // The next run, same behaviour: compared with the baseline, nothing regressed.
    const second = jobDir(root, 'gh-merge-2');
    const runs2 = await runGhJob(merge, wf, second, {}, ci, join(second, 'step-summary.md'));
    expect(step(runs2, 'merge').code, step(runs2, 'merge').stderr).toBe(0);
    expect(readJson(join(second, 'bgprobe-report/report.json')).comparison?.regressions).toBe(0);

    // A baseline in which the deviating scenario conformed: the merge step fails the build.
    const kept = ci.cache.get('bgprobe-baseline')!;
    planted(join(kept, 'report.json'), join(kept, 'report.json'));
    const third = jobDir(root, 'gh-merge-3');
    const summary3 = join(third, 'step-summary.md');
    const runs3 = await runGhJob(merge, wf, third, {}, ci, summary3);
    const gate = step(runs3, 'merge');
    expect(gate.code, gate.stderr).toBe(1);
    expect(gate.stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([
      `::error title=bgprobe%3A ${DEVIATING} [chromium] regressed::${DEVIATING} [chromium] regressed against bgprobe-baseline/report.json: conforms -> deviates`,
    ]);
    expect(readFileSync(summary3, 'utf8')).toContain(`**regression** ${mdId(DEVIATING)} on chromium: conforms → deviates`);
    // A red run keeps the report (artifact, JUnit) and does not become the baseline.
    expect(step(runs3, 'mikepenz/action-junit-report@v6').skipped).toBe(false);
    expect(step(runs3, "keep this report as the next run's baseline").skipped).toBe(true);
    expect(ci.cache.get('bgprobe-baseline')).toBe(kept);
  });

  test('GitLab CI: parallel jobs, a merge, JUnit, then a planted regression fails the merge job', async () => {
    test.setTimeout(240_000);
    const wf = parseYaml(readFileSync(join(REPO, 'docs/ci/gitlab-ci.yml'), 'utf8')) as Record<string, unknown> & {
      variables: Record<string, string>;
    };
    const compat = wf['bgprobe-compat'] as GlJob;
    const merge = wf['bgprobe-merge'] as GlJob;
    expect(compat.parallel).toBeGreaterThan(1);
    const api = await fakeGitlabApi('glpat-test');
    try {
      const common = {
        CI_API_V4_URL: api.url,
        CI_PROJECT_ID: '7',
        CI_DEFAULT_BRANCH: 'main',
        CI_JOB_NAME: 'bgprobe-merge',
        BGPROBE_API_TOKEN: 'glpat-test',
      };
      const mergeDir = (name: string) => {
        const dir = jobDir(root, name);
        // needs: artifacts: every parallel job's paths, unpacked into one tree.
        for (const i of [1, 2])
          for (const p of compat.artifacts.paths) cpSync(join(root, `gl-compat-${i}`, p), join(dir, p), { recursive: true });
        return dir;
      };
      for (const i of [1, 2]) {
        const dir = jobDir(root, `gl-compat-${i}`);
        const run = await runGlJob(compat, wf.variables, dir, {
          ...common,
          CI_JOB_NAME: 'bgprobe-compat',
          CI_NODE_INDEX: String(i),
          CI_NODE_TOTAL: '2',
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout, 'no GitHub workflow commands outside GitHub').not.toContain('::');
      }

      const first = mergeDir('gl-merge-1');
      const run1 = await runGlJob(merge, wf.variables, first, common);
      expect(run1.code, run1.stderr).toBe(0);
      expect(run1.stdout).toContain('No baseline');
      expect(verdicts(readJson(join(first, 'bgprobe-report/report.json')))).toEqual(reference);
      const xml = readFileSync(join(first, merge.artifacts.reports!.junit!), 'utf8');
      expect(XMLValidator.validate(xml)).toBe(true);
      for (const p of merge.artifacts.paths)
        expect(readdirSync(join(first, p))).toEqual(expect.arrayContaining(['report.html', 'report.json', 'junit.xml']));

      api.serve(planted(join(first, 'bgprobe-report/report.json'), join(root, 'gl-baseline.json')));
      const second = mergeDir('gl-merge-2');
      const run2 = await runGlJob(merge, wf.variables, second, common);
      expect(run2.code, run2.stderr).toBe(1);
      expect(run2.stderr).toContain(`regression  ${DEVIATING} [chromium]: conforms -> deviates`);
      expect(api.hits).toHaveLength(2);
    } finally {
      api.server.close();
    }
  });
});
