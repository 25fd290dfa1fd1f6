#!/usr/bin/env node
// Runs every test (the type check, ESLint, vitest unit tests, then Playwright end-to-end tests against real Chromium)
// and ends with one line: `N passed, N failed`. Exit code 1 when anything failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What Prettier checks: the sources, tests, scripts and configs (package.json's format script says the same).
const FORMATTED = ['src', 'test', 'scripts', 'bench', 'playwright.config.ts', 'vitest.config.ts', 'eslint.config.mjs'];
const dir = mkdtempSync(join(tmpdir(), 'bgprobe-tests-'));
const vitestJson = join(dir, 'vitest.json');
const pwJson = join(dir, 'playwright.json');
const extra = process.argv.slice(2);

// The injected probe is bundled first: tsc, ESLint and vitest all read its generated module.
const injected = spawnSync(process.execPath, ['scripts/build-injected.mjs'], { stdio: 'inherit' });
if (injected.status !== 0) {
  console.log('build-injected failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Type errors in tests and sources fail the run too (vitest and Playwright strip types).
const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
// Lint (eslint.config.mjs): a floating promise or a misused one fails the run like a type error.
const lint = spawnSync('npx', ['eslint', 'src', 'test'], { stdio: 'inherit' });
// Format (.prettierrc.json, width 140): a file Prettier would change fails the run; `npm run format` fixes it.
const format = spawnSync('npx', ['prettier', '--check', '--log-level', 'warn', ...FORMATTED], { stdio: 'inherit' });
const unit = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], {
  stdio: 'inherit',
});
const e2e = spawnSync('npx', ['playwright', 'test', ...extra], { stdio: 'inherit', env: { ...process.env, BGPROBE_PW_JSON: pwJson } });

let passed = 0;
let failed = 0;
// The type check and lint count as one check each; say which failed, above the counts.
for (const [check, name] of [
  [typecheck, 'typecheck (tsc -p tsconfig.test.json)'],
  [lint, 'lint (eslint src test)'],
  [format, 'format (prettier --check; npm run format fixes it)'],
]) {
  if (check.status === 0) passed += 1;
  else {
    failed += 1;
    console.log(`${name} failed`);
  }
}
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  // A file that fails to load has no failed tests of its own: count it once.
  if (!r.numFailedTests) failed += r.numFailedTestSuites ?? 0;
} else if (unit.status !== 0) failed += 1;
if (existsSync(pwJson)) {
  const r = JSON.parse(readFileSync(pwJson, 'utf8'));
  passed += (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0);
  failed += r.stats?.unexpected ?? 0;
  if ((r.errors ?? []).length) failed += r.errors.length;
} else if (e2e.status !== 0) failed += 1;
if (failed === 0 && (unit.status !== 0 || e2e.status !== 0)) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
