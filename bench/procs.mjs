// Child-process helpers for the benchmark: run a command to completion, start a long-lived
// helper and read its first JSON line, sample a process's memory from /proc.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Run to completion; resolves { code, stdout, stderr, ms }. Kills it after timeoutMs. */
export function run(cmd, args, { timeoutMs = 600_000, env, cwd } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e), ms: performance.now() - t0 });
    });
  });
}

/** Start a helper that prints one JSON line when ready; resolves { child, info }. */
export function startHelper(cmd, args, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not get ready within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ child, info: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready: ${err}`));
    });
  });
}

/** Resident set size (and its high-water mark) of a process, in bytes, from /proc. */
export function procMemory(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Stop a child we started (by its own handle) and wait for it to exit. */
export async function stopChild(child, signal = 'SIGTERM', graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** What a process is, for the CPU rows: the Grid's Java servers, chromedriver, Chromium by process type, Node. */
function processClass(argv) {
  const [exe = ''] = argv;
  if (/(^|\/)java$/.test(exe)) return argv.includes('hub') ? 'java hub' : argv.includes('node') ? 'java node' : 'java';
  if (/(^|\/)node$/.test(exe)) return 'node';
  if (/chromedriver$/.test(exe)) return 'chromedriver';
  // Chromium starts its zygotes and helpers again as /proc/self/exe (`comm` "exe").
  if (/chrom/.test(exe) || exe === '/proc/self/exe') {
    const type = argv.find((a) => a.startsWith('--type='))?.slice(7);
    return type ? `chromium ${type}` : 'chromium browser';
  }
  return 'other';
}

function procTable() {
  const all = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      // ppid, session id, utime + stime (clock ticks: 100 a second on Linux)
      all.set(Number(d), { ppid: Number(f[1]), sid: Number(f[3]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/**
 * CPU seconds by process class while it runs: the descendants of `root` (not `root` itself)
 * and every process of the given sessions (the Grid's Java servers run in sessions of their
 * own: setsid), sampled from /proc every 100 ms. A process that ends between two samples loses
 * at most 100 ms of its time; one that existed before the start counts only what it spent since.
 */
export function cpuSampler({ root, sessions = [] }) {
  const sids = new Set(sessions);
  const seen = new Map(); // pid -> { cls, from, last }
  const tick = (first) => {
    const all = procTable();
    const mine = new Set();
    for (const [pid, s] of all) if (sids.has(s.sid) || s.ppid === root) mine.add(pid);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, s] of all)
        if (!mine.has(pid) && mine.has(s.ppid)) {
          mine.add(pid);
          grew = true;
        }
    }
    for (const pid of mine) {
      const { ticks } = all.get(pid);
      let e = seen.get(pid);
      // A process first seen as something else may exec into what it is (/usr/bin/chromium is a
      // shell script that execs the browser): asked again until it is known.
      if (!e || e.cls.startsWith('other')) {
        let argv = [];
        let comm = '?';
        try {
          argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // gone meanwhile
        }
        // Chromium's children rewrite their command line as one string (setproctitle).
        if (argv.length === 1 && argv[0].includes(' ')) argv = argv[0].split(' ');
        const cls = processClass(argv);
        e = { cls: cls === 'other' ? `other (${comm})` : cls, from: e?.from ?? (first ? ticks : 0), last: ticks };
        seen.set(pid, e);
      }
      e.last = ticks;
    }
  };
  tick(true);
  const timer = setInterval(() => tick(false), 100);
  return {
    stop() {
      clearInterval(timer);
      tick(false);
      const by = {};
      for (const e of seen.values()) by[e.cls] = (by[e.cls] ?? 0) + (e.last - e.from) / 100;
      return by;
    },
  };
}
