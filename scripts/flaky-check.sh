#!/usr/bin/env bash
# Flakiness check, two modes. Exit code 0 when nothing changed between runs, 1 when something
# did, 2 on bad usage.
#
#   scripts/flaky-check.sh [N] [-- extra playwright args, e.g. test/e2e/recorder-fetch.spec.ts]
#     the end-to-end suite N times in a row (default 5); every test whose result changed
#     between runs is listed. A test that fails every time is a bug, not flakiness, and is
#     listed apart.
#
#   scripts/flaky-check.sh --compat [N] [-- extra compat args, e.g. --repeat 5]
#     `bgprobe compat` (the whole behaviour suite) N times in a row (default 10); every result
#     whose verdict changed between runs is listed (times aside), with each run's exit code,
#     its `error` verdicts, its `unstable` results and the retries it needed (the lost browser's
#     FATAL line). Fails (1) on a changed verdict, a non-zero exit, an `error` or `unstable`.
#
# Each run's report is kept in $FLAKY_DIR (default: a new temp dir) for a closer look.
# Runs take as long as the suite: minutes each on a 2-core machine.
set -euo pipefail

cd "$(dirname "$0")/.."

mode=e2e
runs=5
if [[ "${1:-}" == "--compat" ]]; then
  mode=compat
  runs=10
  shift
fi
if [[ $# -gt 0 && "$1" != "--" ]]; then
  runs="$1"
  shift
fi
[[ "${1:-}" == "--" ]] && shift
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "flaky-check: N must be a whole number of at least 1, got \"$runs\"" >&2
  exit 2
fi

dir="${FLAKY_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bgprobe-flaky-XXXXXX")}"
mkdir -p "$dir"
echo "flaky-check: $runs run(s) of the $mode suite; reports in $dir" >&2

# The CLI drills and compat specs run dist/: build once, up front, so every run tests the same code.
node node_modules/typescript/bin/tsc -p tsconfig.build.json >/dev/null || echo "flaky-check: the build reported type errors (JS emitted); going on" >&2

if [[ "$mode" == "compat" ]]; then
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s)
    code=0
    node dist/cli/main.js compat --format json --out "$dir/compat-$i" "$@" >"$dir/compat-$i.log" 2>&1 || code=$?
    echo "$code" >"$dir/compat-$i.exit"
    echo "flaky-check: compat run $i/$runs: exit $code in $(( $(date +%s) - start )) s" >&2
  done
  node - "$dir" "$runs" <<'EOF'
// Compare the compat runs: one verdict per scenario x browser per run.
const { readFileSync, existsSync } = require('node:fs');
const [dir, runs] = [process.argv[2], Number(process.argv[3])];
const table = new Map(); // "id [browser]" -> verdicts[]
const problems = [];
for (let i = 1; i <= runs; i++) {
  const file = `${dir}/compat-${i}/report.json`;
  const exit = readFileSync(`${dir}/compat-${i}.exit`, 'utf8').trim();
  if (exit !== '0') problems.push(`run ${i}: exit ${exit} (see ${dir}/compat-${i}.log)`);
  if (!existsSync(file)) {
    problems.push(`run ${i}: no report.json`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const r of report.results) {
    const key = `${r.scenarioId} [${r.browser}]`;
    if (!table.has(key)) table.set(key, Array(runs).fill('absent'));
    table.get(key)[i - 1] = r.verdict;
    if (r.verdict === 'error' || r.verdict === 'unstable') problems.push(`run ${i}: ${key} ${r.verdict}: ${r.summary}`);
    for (const a of (r.attempts ?? []).filter((x) => x.browserLost)) console.log(`  run ${i}: ${key} retried after its browser was lost (${a.browserLost.fatal ?? 'no FATAL line'})`);
  }
}
const changed = [...table].filter(([, v]) => new Set(v).size > 1);
console.log(`\nflaky-check: ${table.size} result(s) over ${runs} compat run(s)`);
if (changed.length === 0) console.log('  no verdict changed between runs');
for (const [key, v] of changed) console.log(`  changed: ${key}\n      ${v.map((x, i) => `run ${i + 1}: ${x}`).join(', ')}`);
for (const p of problems) console.log(`  ${p}`);
process.exit(changed.length || problems.length ? 1 : 0);
EOF
  exit $?
fi

# What the tree held at each run: a result that changed along with the code is not flakiness.
tree_state() {
  { git rev-parse HEAD 2>/dev/null; git status --porcelain 2>/dev/null; git diff 2>/dev/null; } | sha256sum | cut -c1-12
}

for ((i = 1; i <= runs; i++)); do
  start=$(date +%s)
  tree_state >"$dir/run-$i.tree"
  # --retries=0: a retry would hide exactly what this script looks for.
  PLAYWRIGHT_JSON_OUTPUT_NAME="$dir/run-$i.json" npx playwright test --retries=0 --reporter=dot,json "$@" >"$dir/run-$i.log" 2>&1 || true
  echo "flaky-check: run $i/$runs done in $(( $(date +%s) - start )) s ($(tail -n 5 "$dir/run-$i.log" | grep -Eo '[0-9]+ (passed|failed|flaky|skipped)' | paste -sd ' ' -))" >&2
done

node - "$dir" "$runs" <<'EOF'
// Compare the runs: one outcome per test per run, keyed by file + title path.
const { readFileSync, existsSync } = require('node:fs');
const [dir, runs] = [process.argv[2], Number(process.argv[3])];
const table = new Map(); // key -> outcomes[]
const errors = [];
for (let i = 1; i <= runs; i++) {
  const file = `${dir}/run-${i}.json`;
  if (!existsSync(file)) {
    errors.push(`run ${i}: no JSON report (see ${dir}/run-${i}.log)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const e of report.errors ?? []) errors.push(`run ${i}: ${String(e.message ?? e).split('\n')[0]}`);
  const walk = (suite, titles) => {
    for (const s of suite.suites ?? []) walk(s, [...titles, s.title].filter(Boolean));
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        // No line number in the key: an edit above a test must not make it a "new" test.
        const key = `${spec.file} › ${[...titles, spec.title].join(' › ')}${t.projectName ? ` [${t.projectName}]` : ''}`;
        const last = t.results?.[t.results.length - 1];
        // expected/unexpected/skipped is what Playwright decided (test.fail() included); the
        // raw status says how (failed, timedOut, interrupted).
        const outcome = t.status === 'expected' || t.status === 'skipped' ? t.status : `${t.status}:${last?.status ?? '?'}`;
        if (!table.has(key)) table.set(key, Array(runs).fill('absent'));
        table.get(key)[i - 1] = outcome;
      }
    }
  };
  for (const s of report.suites ?? []) walk(s, []);
}
const trees = [];
for (let i = 1; i <= runs; i++) trees.push(existsSync(`${dir}/run-${i}.tree`) ? readFileSync(`${dir}/run-${i}.tree`, 'utf8').trim() : '?');
const changed = [];
const alwaysBad = [];
for (const [key, outcomes] of table) {
  const distinct = new Set(outcomes);
  if (distinct.size > 1) changed.push([key, outcomes]);
  else if (!distinct.has('expected') && !distinct.has('skipped')) alwaysBad.push([key, outcomes[0]]);
}
console.log(`\nflaky-check: ${table.size} test(s) over ${runs} run(s)`);
for (const e of errors) console.log(`  suite error: ${e}`);
if (new Set(trees).size > 1) {
  console.log(`  WARNING: the working tree changed between runs (${trees.map((t, i) => `run ${i + 1}: ${t}`).join(', ')}):`);
  console.log('  a result that changed with it may be the code changing, not flakiness.');
}
if (changed.length === 0) console.log('  no test changed its result between runs (flakiness: 0)');
else {
  console.log(`  ${changed.length} test(s) changed their result between runs:`);
  for (const [key, outcomes] of changed) console.log(`    ${key}\n      ${outcomes.map((o, i) => `run ${i + 1}: ${o}`).join(', ')}`);
}
if (alwaysBad.length) {
  console.log(`  ${alwaysBad.length} test(s) failed the same way in every run (a bug, not flakiness):`);
  for (const [key, outcome] of alwaysBad) console.log(`    ${key}: ${outcome}`);
}
process.exit(changed.length || errors.length ? 1 : 0);
EOF
