#!/usr/bin/env node
// `npm run bench`: every performance figure the issues ask for, measured side by side in one
// run (the machines are shared and noisy: medians and ratios, never single times), written to
// bench/results.json and printed as one table saying, for each row, the target and whether it
// was met. A missed target says MISSED; a figure that could not be measured says why.
//
//   node scripts/bench.mjs [--quick] [--only ingest,server,browser,compat,wpt,render,grid,reporter,lanes,lane,shards,wptfiles] [--build]
//
// The scheduler's rows (#25): lanes (make compat's four lanes vs its longest scenario), lane
// (the Chromium lane vs its longest), shards (--shard 1/2 and 2/2, split by the lane run's
// times; runs the lane too), wptfiles (background-fetch/ with its per-file breakdown, against
// ../shared/wpt or BGPROBE_WPT_ROOT).
//
// --quick: fewer repetitions (a minute or two instead of a few). Chromium runs one at a time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../bench/procs.mjs';
import { median, round } from '../bench/stats.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['ingest', 'server', 'browser', 'compat', 'wpt', 'render', 'grid', 'reporter', 'lanes', 'lane', 'shards', 'wptfiles'];
/** The web-platform-tests checkout for the wptfiles row: BGPROBE_WPT_ROOT, else the shared upstream copy beside the repo. */
const WPT_ROOT = process.env.BGPROBE_WPT_ROOT ?? join(REPO, '../shared/wpt');

function parseArgv(argv) {
  const opts = { quick: false, only: SECTIONS, build: false, workers: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--build') opts.build = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      opts.only = String(v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = opts.only.filter((s) => !SECTIONS.includes(s));
      if (bad.length) usage(`unknown section ${bad.join(', ')} (sections: ${SECTIONS.join(', ')})`);
    } else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown option ${a}`);
  }
  return opts;
}

function usage(problem) {
  const text = `usage: node scripts/bench.mjs [--quick] [--only ${SECTIONS.join(',')}] [--build]`;
  if (problem) {
    console.error(`bench: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const log = (line) => console.error(line);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/ when asked or stale. Type errors elsewhere still emit JS: carry on and say so. */
function ensureBuilt(force) {
  const marker = join(REPO, 'dist/index.js');
  const stale = !existsSync(marker) || newestMtime(join(REPO, 'src')) > statSync(marker).mtimeMs;
  if (!force && !stale) return 'dist/ up to date';
  log('building dist/ (tsc -p tsconfig.build.json) ...');
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status === 0) return 'built';
  const errors = (r.stdout.match(/error TS/g) ?? []).length;
  if (!existsSync(marker)) throw new Error(`the build emitted no dist/index.js:\n${r.stdout}`);
  return `built with ${errors} type error(s) elsewhere (JS emitted)`;
}

async function childJson(script, args, repeat) {
  const outs = [];
  for (let i = 0; i < repeat; i++) {
    const r = await run(process.execPath, ['--expose-gc', join(REPO, 'bench', script), ...args], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`${script} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    outs.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  return outs;
}

// ---- rows --------------------------------------------------------------------------------

const ms = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '?' : `${x.toFixed(d)} ms`);
const mb = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '?' : `${x.toFixed(1)} MB`);
const status = (met) => (met ? 'met' : 'MISSED');

function row(figure, measured, beside, target, state) {
  return { figure, measured, beside, target, status: state };
}

function buildRows(res, opts) {
  const rows = [];
  const skipped = (figure, target, why) => rows.push(row(figure, '-', why, target, 'not measured'));

  // Event delay
  const d = res.browser?.delay;
  if (d) {
    rows.push(
      row(
        'Event delay: CDP timestamp -> recorder subscriber',
        `median ${ms(d.recorder.medianMs, 2)}, p99 ${ms(d.recorder.p99Ms, 2)} (${d.events} events, ${d.fetches} fetches)`,
        `raw CDP session, same events: median ${ms(d.rawCdp.medianMs, 2)}, p99 ${ms(d.rawCdp.p99Ms, 2)}; recorder's own share (session -> subscriber): median ${ms(d.recorderOwn.medianMs, 3)}, p99 ${ms(d.recorderOwn.p99Ms, 3)}`,
        'median < 5 ms',
        status(d.recorder.medianMs < 5),
      ),
    );
  } else skipped('Event delay: CDP timestamp -> recorder subscriber', 'median < 5 ms', res.errors.browser ?? 'section not run');

  // Ingest
  const ing = res.ingest;
  if (ing) {
    const t = median(ing.runs.map((r) => r.ingestMs));
    const rss = median(ing.runs.map((r) => r.peakRssGrowthMB));
    const heap = median(ing.runs.map((r) => r.heapGrowthMB));
    const r0 = ing.runs[0];
    rows.push(
      row(
        `Recorder ingest: ${r0.events.toLocaleString('en')} raw events`,
        `${ms(t)} (median of ${ing.runs.length}); peak RSS growth ${mb(rss)}, heap retained ${mb(heap)}`,
        `${r0.timelines} fetches x 7 events + other services, ${r0.duplicatesDropped} replayed duplicates dropped; all ${r0.timelines} timelines read after: ${ms(median(ing.runs.map((r) => r.fetchesMs)))}; runs: ${ing.runs.map((r) => ms(r.ingestMs)).join(', ')}`,
        '< 2 s, < 200 MB',
        status(t < 2000 && rss < 200 && heap < 200),
      ),
    );
  } else skipped('Recorder ingest: 100,000 raw events', '< 2 s, < 200 MB', res.errors.ingest ?? 'section not run');
  const pr = ing?.probes?.scales;
  if (pr?.length) {
    const first = pr[0];
    const last = pr[pr.length - 1];
    const growth = last.perRecordMs / first.perRecordMs;
    const linear = last.fetches / first.fetches;
    rows.push(
      row(
        'Probe records while a fetch is awaited (20 per fetch)',
        pr.map((x) => `${x.records.toLocaleString('en')} records: ${ms(x.ms)}`).join('; '),
        `per record ${pr.map((x) => ms(x.perRecordMs, 2)).join(' -> ')}: x${growth.toFixed(1)} for a recording x${linear} larger (x1 or less: each record costs the same whatever the recording holds; more would mean a record's cost grows with the recording)`,
        'none stated (part of ingest)',
        growth > 2 ? 'reference: grows quadratically' : 'reference',
      ),
    );
  }
  const ch = ing?.channel;
  if (ch) {
    const perRecordUs = (ch.validMs / ch.validRecords) * 1000;
    rows.push(
      row(
        'Probe channel: checking what a page sends (size cap, JSON, schema, budget)',
        `${perRecordUs.toFixed(1)} us per valid record; ${((ch.junkMs / ch.junkPayloads) * 1000).toFixed(1)} us per junk payload`,
        `${ch.validRecords.toLocaleString('en')} valid progress records in batches of 10 (${ch.validKept} kept) in ${ms(ch.validMs)}; ${ch.junkPayloads.toLocaleString('en')} junk payloads (bad JSON, wrong types: ${ch.junkDropped} dropped) in ${ms(ch.junkMs)}`,
        '< 50 us per record',
        status(perRecordUs < 50),
      ),
    );
  } else if (ing) skipped('Probe channel: checking what a page sends', '< 50 us per record', 'not measured');

  // Recording overhead
  const quartiles = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    const at = (q) => v[Math.min(v.length - 1, Math.floor(q * (v.length - 1) + 0.5))];
    return `${at(0.25).toFixed(2)}-${at(0.75).toFixed(2)}`;
  };
  const o = res.browser?.overhead;
  if (o) {
    rows.push(
      row(
        'Recording overhead: 64 MiB two-request fetch',
        `ratio ${o.ratio.toFixed(3)} (median of ${o.runs} alternated pairs)`,
        `recorder+probes median ${ms(o.recordedMedianMs)} vs neither ${ms(o.plainMedianMs)}; pair ratios ${o.pairRatios.map((x) => x.toFixed(2)).join(', ')} (quartiles ${quartiles(o.pairRatios)}: one fetch varies by +-15% on this machine, so read the median with them); recorder without probes: ${ms(o.recorderOnlyMedianMs)}, ratio ${o.recorderOnlyRatio.toFixed(3)}`,
        '<= 1.05',
        status(o.ratio <= 1.05),
      ),
    );
  } else skipped('Recording overhead: 64 MiB two-request fetch', '<= 1.05', res.errors.browser ?? 'section not run');

  // Fixture server
  const s = res.server;
  if (s) {
    if (s.ratio !== null) {
      rows.push(
        row(
          'Fixture server: 1 GiB over loopback vs nginx',
          `ratio ${s.ratio.toFixed(2)} (median of ${s.runs} alternated pairs)`,
          `bgprobe ${s.bgprobeMedianMBps.toFixed(0)} MiB/s vs nginx ${s.nginxMedianMBps.toFixed(0)} MiB/s (sendfile on), client curl -o /dev/null`,
          '>= 0.8',
          status(s.ratio >= 0.8),
        ),
      );
    } else {
      rows.push(
        row(
          'Fixture server: 1 GiB over loopback vs nginx',
          `bgprobe ${s.bgprobeMedianMBps.toFixed(0)} MiB/s`,
          `no nginx: ${s.nginxStatus}`,
          '>= 0.8',
          'not measured (no nginx)',
        ),
      );
    }
    rows.push(
      row(
        'Fixture server: memory while streaming 1 GiB',
        `peak RSS growth ${mb(s.memory.growthMB)}`,
        `server process RSS ${mb(s.memory.baselineMB)} after warm-up, peak ${mb(s.memory.peakMB)} (sampled every 25 ms; VmHWM ${mb(s.memory.hwmMB)})`,
        '< 100 MB',
        status(s.memory.growthMB < 100),
      ),
    );
  } else {
    skipped('Fixture server: 1 GiB over loopback vs nginx', '>= 0.8', res.errors.server ?? 'section not run');
    skipped('Fixture server: memory while streaming 1 GiB', '< 100 MB', res.errors.server ?? 'section not run');
  }

  // Floor
  const f = res.browser?.floor;
  if (f) {
    rows.push(
      row(
        "Browser's floor: 1-byte fetch, first after launch",
        ms(f.firstMs),
        `fetch() to result in the page, no bgprobe; launch took ${ms(res.browser.launchMs)}`,
        'none (reference: ~2 s)',
        'reference',
      ),
    );
    rows.push(
      row(
        "Browser's floor: 1-byte fetch, steady state",
        `median ${ms(f.steadyMedianMs, 1)} of ${f.steadyMs.length}`,
        `runs: ${f.steadyMs.map((x) => x.toFixed(0)).join(', ')} ms`,
        'none (reference: ~10 ms)',
        'reference',
      ),
    );
  } else {
    skipped("Browser's floor: 1-byte fetch, first after launch", 'none', res.errors.browser ?? 'section not run');
    skipped("Browser's floor: 1-byte fetch, steady state", 'none', res.errors.browser ?? 'section not run');
  }

  // Compat
  const c = res.compat;
  if (c?.ok) {
    rows.push(
      row(
        '`bgprobe compat` whole suite, one browser',
        `${(c.wallMs / 1000).toFixed(1)} s wall (${c.scenarios} scenarios, ${c.workers} workers, exit ${c.exitCode})`,
        `verdicts ${Object.entries(c.byVerdict)
          .filter(([, n]) => n)
          .map(([v, n]) => `${v} ${n}`)
          .join(', ')}${
          c.byVerdict.error
            ? ` (errors: ${c.perScenario
                .filter((p) => p.verdict === 'error')
                .map((p) => `${p.id}: ${String(p.summary).slice(0, 80)}`)
                .join('; ')})`
            : ''
        }; slowest ${c.slowest
          .slice(0, 3)
          .map((x) => `${x.id} ${(x.durationMs / 1000).toFixed(1)} s`)
          .join(', ')}`,
        '<= 120 s',
        status(c.wallMs <= 120_000),
      ),
    );
    rows.push(
      row(
        '`bgprobe compat` per-scenario set-up + teardown',
        `median ${ms(c.outsideMedianMs)}, p99 ${ms(c.outsideP99Ms)}`,
        `set-up median ${ms(c.setupMedianMs)}, teardown median ${ms(c.teardownMedianMs)}; an upper bound, not bgprobe's share: it also holds the browser creating and closing the context, starting the page's renderer and stopping its worker, with ${c.workers} scenarios sharing ${cpus().length} cores (bgprobe's own share is the A/B row below)`,
        'none (upper bound)',
        'reference',
      ),
    );
  } else {
    const why = c && !c.ok ? c.why : (res.errors.compat ?? 'section not run');
    rows.push(
      row('`bgprobe compat` whole suite, one browser', '-', why, '<= 120 s', c?.available === false ? 'not available yet' : 'not measured'),
    );
    rows.push(
      row(
        '`bgprobe compat` per-scenario set-up + teardown',
        '-',
        why,
        'none (upper bound)',
        c?.available === false ? 'not available yet' : 'not measured',
      ),
    );
  }
  const w = res.wpt;
  const wptFigure = '`bgprobe wpt` upstream background-fetch/, one Chromium';
  if (w?.ok) {
    const met = w.filesOk === w.files && w.subtestsPass >= 45 && w.idlPass === w.idl && w.wallMs < 120_000;
    rows.push(
      row(
        wptFigure,
        `${(w.wallMs / 1000).toFixed(1)} s wall; files OK ${w.filesOk}/${w.files}; subtests PASS ${w.subtestsPass}/${w.subtests}; idlharness ${w.idlPass}/${w.idl}`,
        `Chromium ${w.browserVersion}, exit ${w.exitCode}${w.notOk.length ? `; not OK: ${w.notOk.join(', ')}` : ''}${w.notPass.length ? `; not PASS: ${w.notPass.join('; ')}` : ''}`,
        'every file OK, >= 45 subtests PASS, every idlharness PASS, < 120 s',
        status(met),
      ),
    );
  } else
    rows.push(
      row(
        wptFigure,
        '-',
        w?.why ?? res.errors.wpt ?? 'section not run',
        'every file OK, >= 45 subtests PASS, every idlharness PASS, < 120 s',
        w?.available === false ? 'skipped' : 'not measured',
      ),
    );
  const a = res.browser?.attach;
  const costFigure = "bgprobe's cost per scenario: recorder + probes, as compat opens one";
  if (a && a.compatMedianMs !== undefined) {
    // What a scenario's context costs with the recorder minus without it, alternated in one
    // browser: the observer page (a renderer the browser starts), the probes, recording on and
    // off. The direct attach() + dispose() time is longer than what a scenario pays, because
    // compat creates the app page while the recorder attaches.
    rows.push(
      row(
        costFigure,
        `median ${ms(a.overheadMedianMs)} (of ${a.runs} alternated runs)`,
        `context + harness page ready + close: with recorder ${ms(a.compatMedianMs)} vs without ${ms(a.plainMedianMs)}; recorder attached before the page (as a test may): +${ms(a.sequentialOverheadMedianMs)}; attach() ${ms(a.attachMedianMs)} + dispose() ${ms(a.disposeMedianMs)} timed alone`,
        'overhead median < 300 ms',
        status(a.overheadMedianMs < 300),
      ),
    );
  } else skipped(costFigure, 'overhead median < 300 ms', res.errors.browser ?? 'section not run');

  // Render
  const r = res.render;
  if (r?.ok) {
    rows.push(
      row(
        `Report rendering: HTML, ${r.events.toLocaleString('en')} events`,
        `${ms(r.html.medianMs)} (median of 3), ${(r.html.bytes / 1048576).toFixed(1)} MiB`,
        `${r.results} results, written as compat writes them; peak RSS growth ${mb(r.html.peakRssGrowthMB)}; JSON beside it: ${ms(r.json.medianMs)}, ${(r.json.bytes / 1048576).toFixed(1)} MiB, peak RSS growth ${mb(r.json.peakRssGrowthMB)}`,
        'none stated',
        'reference',
      ),
    );
    const o = r.open;
    rows.push(
      o && !o.error
        ? row(
            `HTML open/scroll, ${r.events.toLocaleString('en')} events (Chromium ${o.version})`,
            `open ${ms(o.paintedMs)}, to the last result ${ms(o.linkMs)}, its events on screen ${ms(o.rowsMs)}`,
            `median of ${o.runs.length}, times in the page: navigation start to load ${ms(o.loadMs)} and the next frame painted; a click on the last result's badge in the matrix to the frame after the jump; scrollIntoView() of its events table to rows on screen; ${(o.bytes / 1048576).toFixed(1)} MiB, ${o.domNodes.toLocaleString('en')} elements after load`,
            'each < 3 s',
            status(o.paintedMs < 3000 && o.linkMs < 3000 && o.rowsMs < 3000),
          )
        : row('HTML open/scroll, 100,000 events', '-', o?.error ?? 'not measured', 'each < 3 s', 'not measured'),
    );
  } else {
    rows.push(
      row(
        'Report rendering: HTML, 100,000 events',
        '-',
        r?.why ?? res.errors.render ?? 'section not run',
        'none stated',
        r?.available === false ? 'not available yet' : 'not measured',
      ),
    );
  }
  scheduleRows(res, rows);
  gridRows(res, rows);
  reporterRows(res, rows);
  return rows;
}

/** The scheduler's rows (#25), each with its floor from the same run. */
function scheduleRows(res, rows) {
  const s = res.schedule;
  const sec = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '?' : `${(x / 1000).toFixed(1)} s`);
  const verdicts = (by) =>
    Object.entries(by)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ');
  const compatRow = (figure, r, target, limit) =>
    r
      ? row(
          figure,
          `${sec(r.runMs)} wall = ${r.ratio.toFixed(2)}x its longest scenario`,
          `floor: the longest scenario of the same run, ${r.longest.id} [${r.longest.browser}] ${sec(r.longest.ms)}; ${r.results} results (${verdicts(r.byVerdict)}), scenario times add up to ${sec(r.sumMs)}; ${r.workers} workers on ${s.cpus} CPUs, load ${r.loadAtStart.toFixed(1)} at the start; exit ${r.exitCode}; ${r.browsers.join(', ')}`,
          target,
          status(r.ratio <= limit),
        )
      : null;
  const missing = (figure, target, section) =>
    row(figure, '-', res.errors[section] ?? res.errors.schedule ?? 'section not run', target, 'not measured');
  const lanesFigure = '`make compat` four lanes: wall vs its longest scenario';
  rows.push(compatRow(lanesFigure, s?.lanes, '<= 1.6x', 1.6) ?? missing(lanesFigure, '<= 1.6x', 'lanes'));
  const laneFigure = '`bgprobe compat` Chromium lane: wall vs its longest scenario';
  rows.push(compatRow(laneFigure, s?.lane, '<= 1.3x', 1.3) ?? missing(laneFigure, '<= 1.3x', 'lane'));
  const shardFigure = "`--shard 1/2` and `2/2` (Chromium, split by the lane run's times): max/mean";
  const sh = s?.shards;
  rows.push(
    sh
      ? row(
          shardFigure,
          `wall ${sh.wallImbalance.toFixed(2)}; summed scenario times ${sh.sumImbalance.toFixed(2)}`,
          `${sh.shards.map((x, i) => `shard ${i + 1}/2: ${sec(x.runMs)} wall (longest ${x.longest?.id} ${sec(x.longest?.ms)}), ${x.results} results, times add up to ${sec(x.sumMs)}`).join('; ')}; each shard's floor is its longest scenario; verdicts against the unsharded run: ${sh.differ.length ? `differ: ${sh.differ.join('; ')}` : 'identical'}`,
          '<= 1.2',
          status(sh.wallImbalance <= 1.2),
        )
      : missing(shardFigure, '<= 1.2', 'shards'),
  );
  const w = res.wptfiles;
  const wptFigure = '`bgprobe wpt background-fetch/` (Chromium): directory vs its slowest file';
  if (w?.ok) {
    const want = JSON.parse(readFileSync(join(REPO, 'bench/wpt-statuses.json'), 'utf8')).statuses;
    const got = w.statuses;
    const differ = Object.keys({ ...want, ...got }).filter((t) => {
      const a = want[t];
      return (
        !a ||
        got[t] !==
          `${a.status} ${Object.entries(a.subtests)
            .map(([n, v]) => `${n}=${v}`)
            .sort()
            .join('|')}`
      );
    });
    const top = w.files
      .slice(0, 3)
      .map((f) => `${f.test} (${f.time ?? sec(f.ms)})`)
      .join(' | ');
    rows.push(
      row(
        wptFigure,
        `${sec(w.runMs)} wall, slowest file ${sec(w.slowest?.ms)} (${(w.runMs / w.slowest.ms).toFixed(2)}x); harness OK ${w.harnessOk}/${w.files.length}`,
        `statuses as in bench/wpt-statuses.json: ${differ.length ? `NO (${differ.join(', ')})` : 'yes'}; ${w.workers} workers, load ${w.loadAtStart.toFixed(1)} at the start; slowest 3: ${top}`,
        '< 60 s, every harness OK, the same statuses',
        status(w.runMs < 60_000 && w.harnessOk === w.files.length && differ.length === 0),
      ),
    );
  } else
    rows.push(
      row(
        wptFigure,
        '-',
        w?.why ?? res.errors.wptfiles ?? 'section not run',
        '< 60 s, every harness OK, the same statuses',
        w?.available === false ? 'skipped' : 'not measured',
      ),
    );
}

/** CPU seconds of each run by process class (bench/procs.mjs cpuSampler), and the load at its start. */
function cpuLine(g) {
  const one = (name, r) => {
    const total = Object.values(r.cpu).reduce((a, v) => a + v, 0);
    const parts = Object.entries(r.cpu)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    return `${name} ${total.toFixed(1)} (${parts}; load ${r.load.toFixed(1)})`;
  };
  return [one('Grid', g.grid), one('local', g.local), one('no Grid', g.drivers)].join('; ');
}

/** `compat --grid` against the local run with the same slot count, session times, the Grid's memory (#26). */
function gridRows(res, rows) {
  const g = res.grid;
  const figures = [
    '`compat --grid` vs local, same slot count (4)',
    'Same selection on 4 browsers without the Grid vs local',
    'Grid session create / delete',
    'Grid memory: hub + 2 nodes (Java RSS)',
  ];
  if (!g?.ok) {
    const why = g?.why ?? res.errors.grid ?? 'section not run';
    for (const f of figures)
      rows.push(row(f, '-', why, f === figures[0] ? '<= 1.3x' : 'none', g?.available === false ? 'skipped' : 'not measured'));
    return;
  }
  const s = (x) => `${(x / 1000).toFixed(1)} s`;
  rows.push(
    row(
      figures[0],
      `${g.ratio.toFixed(2)}x (Grid ${s(g.grid.wallMs)}, local ${s(g.local.wallMs)})`,
      `${g.grid.results} results each, one run each; verdicts ${g.sameVerdicts ? 'identical' : 'DIFFER'}; Grid results from ${g.grid.nodes.length} node(s); exits ${g.grid.exitCode}/${g.local.exitCode}`,
      '<= 1.3x',
      status(g.ratio <= 1.3 && g.sameVerdicts),
    ),
  );
  rows.push(
    row(
      figures[1],
      `${g.driversRatio.toFixed(2)}x (${s(g.drivers.wallMs)}, local ${s(g.local.wallMs)})`,
      `four browsers started as a Grid node starts them (chromedriver each, the nodes' flags) and driven as the Grid's, no hub or node JVM (bench/driver-grid.mjs): what four browsers instead of one cost on these cores; verdicts ${g.driversSameVerdicts ? 'identical' : 'DIFFER'}; exit ${g.drivers.exitCode}. CPU s by process, ${cpuLine(g)}`,
      'none (reference)',
      'reference',
    ),
  );
  rows.push(
    row(
      figures[2],
      `median ${ms(g.createMedianMs)} / ${ms(g.deleteMedianMs)}`,
      `create = POST /session + CDP connect (the browser's own endpoint, a node on this machine), one at a time: ${g.sessions.createMs.map((x) => x.toFixed(0)).join(', ')} ms; Grid ready in ${s(g.startMs)}`,
      'none (reference: 1.1-1.5 s)',
      'reference',
    ),
  );
  const mib = (m) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v === null ? '?' : v.toFixed(0)}`)
      .join(', ');
  const total = (m) => Object.values(m).reduce((a, v) => a + (v ?? 0), 0);
  rows.push(
    row(
      figures[3],
      `${total(g.after).toFixed(0)} MiB after the run`,
      `idle: ${mib(g.idle)} MiB; after: ${mib(g.after)} MiB (-Xmx256m each)`,
      'none (reference: hub 150-215, node 110-185 MiB)',
      'reference',
    ),
  );
}

/** bgprobe in a Playwright run (bench/reporter-child.mjs): per-test cost of bgprobe/reporter and the attachments, attach: 'off'. */
function reporterRows(res, rows) {
  const p = res.reporter;
  if (!p) {
    for (const [figure, target] of [
      ['bgprobe/reporter: cost per test', '<= 50 ms'],
      ['Attachments of a test with a 1,000-event fetch', '<= 200 KB'],
      ["attach: 'off': cost per test", 'nothing measurable'],
    ]) {
      rows.push(row(figure, '-', res.errors.reporter ?? 'section not run', target, 'not measured'));
    }
    return;
  }
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  const w = p.worker;
  rows.push(
    row(
      `bgprobe/reporter: cost per test (${p.tests} tests, each a ${p.events.toLocaleString('en')}-event fetch)`,
      `${ms(p.reporter.perTestMs)} per test (onTestEnd + its share of onEnd: the whole report written, ${ms(p.reporter.totalMs)} in all)`,
      `the test's own side with attach: 'on' (its attachments built): JSON ${ms(w.jsonMs)}, text ${ms(w.textMs)}, HTML timeline ${ms(w.htmlMs)} (medians of 7)`,
      '<= 50 ms',
      status(p.reporter.perTestMs <= 50),
    ),
  );
  rows.push(
    row(
      `Attachments of a test with a ${p.events.toLocaleString('en')}-event fetch (attach: 'on')`,
      `${kb(w.bytes.total)}: ${w.bytes.jsonName} ${kb(w.bytes.json)}, bgprobe-timeline.html ${kb(w.bytes.html)}, text ${kb(w.bytes.text)}`,
      `the JSON is ${kb(w.bytes.jsonRaw)} before gzip; the HTML is the report page packed (gzip + base64, unpacked by the page)`,
      '<= 200 KB',
      status(w.bytes.total <= 200 * 1024),
    ),
  );
  rows.push(
    row(
      "attach: 'off': cost per test",
      `${p.off.nsPerTest.toFixed(0)} ns per test (the mode check; nothing is built or written)`,
      `${p.off.kept} of 100,000 simulated test ends built an attachment`,
      'nothing measurable',
      status(p.off.nsPerTest < 10_000 && p.off.kept === 0),
    ),
  );
}

function printTable(rows) {
  const cols = ['figure', 'measured', 'target', 'status'];
  const head = { figure: 'Figure', measured: 'Measured', target: 'Target', status: 'Status' };
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => String(r[c]).length))]));
  const line = (r) => cols.map((c) => String(r[c]).padEnd(width[c])).join(' | ');
  console.log(line(head));
  console.log(cols.map((c) => '-'.repeat(width[c])).join('-|-'));
  for (const r of rows) {
    console.log(line(r));
    console.log(`${' '.repeat(4)}${r.beside}`);
  }
}

// ---- main --------------------------------------------------------------------------------

async function main() {
  const opts = parseArgv(process.argv.slice(2));
  const started = Date.now();
  const res = { errors: {} };
  const meta = {
    startedAt: new Date(started).toISOString(),
    quick: opts.quick,
    sections: opts.only,
    node: process.version,
    cpus: cpus().length,
    loadavgStart: loadavg().map((x) => round(x, 2)),
    build: ensureBuilt(opts.build),
  };
  log(`bench: ${meta.build}; load average ${meta.loadavgStart.join(' ')} on ${meta.cpus} CPUs${opts.quick ? '; --quick' : ''}`);

  const section = async (name, fn) => {
    if (!opts.only.includes(name)) return;
    log(`[${name}]`);
    const t0 = Date.now();
    try {
      res[name] = await fn();
    } catch (e) {
      res.errors[name] = `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      log(`  ${res.errors[name]}`);
    }
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };

  await section('ingest', async () => ({
    runs: await childJson('ingest-child.mjs', [], opts.quick ? 1 : 3),
    probes: (await childJson('probe-ingest-child.mjs', opts.quick ? ['50', '100'] : ['50', '100', '200'], 1))[0],
    channel: (await childJson('probe-channel-child.mjs', [], 1))[0],
  }));
  await section('server', async () => {
    const { benchServer } = await import('../bench/server.mjs');
    return benchServer({ runs: opts.quick ? 2 : 4, log });
  });
  await section('browser', async () => {
    const { benchBrowser } = await import('../bench/browser.mjs');
    return benchBrowser({ quick: opts.quick, log });
  });
  await section('compat', async () => {
    const { benchCompat, compatAvailable } = await import('../bench/compat.mjs');
    const avail = await compatAvailable();
    if (!avail.ok) return { ok: false, available: false, why: `not available yet: ${avail.why}` };
    return benchCompat({ log });
  });
  await section('wpt', async () => {
    const { benchWpt, wptAvailable } = await import('../bench/wpt.mjs');
    const avail = wptAvailable();
    if (!avail.ok) return { ok: false, available: false, why: avail.why };
    return benchWpt({ root: avail.root, log });
  });
  const scheduleSections = opts.only.filter((x) => ['lanes', 'lane', 'shards'].includes(x));
  if (scheduleSections.length) {
    log(`[${scheduleSections.join(', ')}]`);
    const t0 = Date.now();
    try {
      const { benchSchedule } = await import('../bench/schedule.mjs');
      res.schedule = await benchSchedule({ log, only: scheduleSections });
    } catch (e) {
      res.errors.schedule = `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      log(`  ${res.errors.schedule}`);
    }
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await section('wptfiles', async () => {
    if (!existsSync(join(WPT_ROOT, 'background-fetch')))
      return { ok: false, available: false, why: `no web-platform-tests checkout at ${WPT_ROOT} (set BGPROBE_WPT_ROOT)` };
    const { benchWptFiles } = await import('../bench/schedule.mjs');
    return benchWptFiles({ root: WPT_ROOT, log });
  });
  await section('render', async () => {
    if (!existsSync(join(REPO, 'dist/report/write.js')))
      return { ok: false, available: false, why: 'not available yet: no dist/report/write.js (render)' };
    const [r] = await childJson('render-child.mjs', [], 1);
    // The same report opened in Chromium (a browser of its own, after the render child ended).
    let open;
    try {
      [open] = await childJson('html-open-child.mjs', [opts.quick ? '1' : '3'], 1);
    } catch (e) {
      open = { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
    return { ok: true, ...r, open };
  });

  await section('grid', async () => {
    const { benchGrid, gridAvailable } = await import('../bench/grid.mjs');
    const avail = gridAvailable();
    if (!avail.ok) return { ok: false, available: false, why: avail.why };
    return benchGrid({ log });
  });

  await section('reporter', async () => {
    if (!existsSync(join(REPO, 'dist/playwright/reporter.js'))) return null;
    const [r] = await childJson('reporter-child.mjs', [opts.quick ? '20' : '50'], 1);
    return r;
  });

  const rows = buildRows(res, opts);
  meta.loadavgEnd = loadavg().map((x) => round(x, 2));
  meta.durationS = round((Date.now() - started) / 1000, 1);
  meta.chromium = res.browser?.version ?? null;
  mkdirSync(join(REPO, 'bench'), { recursive: true });
  const file = join(REPO, 'bench/results.json');
  // Per-scenario compat rows are long; keep them, they are what explains the medians.
  writeFileSync(file, `${JSON.stringify({ meta, rows, results: res }, undefined, 2)}\n`);
  console.log('');
  console.log(
    `bgprobe bench ${meta.startedAt}: Chromium ${meta.chromium ?? '?'}, Node ${meta.node}, ${meta.cpus} CPUs, load ${meta.loadavgStart.join(' ')} -> ${meta.loadavgEnd.join(' ')}${opts.quick ? ', --quick' : ''}`,
  );
  printTable(rows);
  const missed = rows.filter((r) => r.status === 'MISSED');
  console.log('');
  console.log(
    `${rows.filter((r) => r.status === 'met').length} met, ${missed.length} MISSED, ${rows.filter((r) => !['met', 'MISSED'].includes(r.status)).length} other; ${meta.durationS} s; written to bench/results.json`,
  );
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
