// Fixture server throughput and memory: a 1 GiB generated body from bgprobe's FixtureServer
// (in a child process whose RSS we sample) vs nginx serving a 1 GiB static file, both over
// loopback to `curl -o /dev/null`, runs alternated so load from the shared machine hits both.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNginx, startNginx } from './nginx.mjs';
import { procMemory, run, startHelper, stopChild } from './procs.mjs';
import { median, MIB } from './stats.mjs';

const GIB = 1024 * MIB;

async function curl(url) {
  const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', url], { timeoutMs: 300_000 });
  const [status, size, seconds] = r.stdout.trim().split(' ');
  if (r.code !== 0 || status !== '200') throw new Error(`curl ${url}: exit ${r.code}, ${r.stdout} ${r.stderr}`);
  return { bytes: Number(size), ms: Number(seconds) * 1000, mbps: Number(size) / MIB / Number(seconds) };
}

export async function benchServer({ runs, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-server-'));
  const out = { runs, bgprobe: [], nginx: [], nginxStatus: null, memory: null };
  let nginx = null;
  let server = null;
  try {
    const found = await ensureNginx(log);
    if (found.path) {
      const www = join(dir, 'www');
      mkdirSync(www);
      const file = join(www, 'big.bin');
      const made = await run('fallocate', ['-l', String(GIB), file]);
      if (made.code !== 0) await run('truncate', ['-s', String(GIB), file]);
      try {
        nginx = await startNginx(found.path, join(dir, 'nginx'), www);
        out.nginxStatus = `nginx ${found.path} on ${nginx.url}`;
      } catch (e) {
        out.nginxStatus = `nginx could not start: ${e.message.split('\n')[0]}`;
      }
    } else {
      out.nginxStatus = found.reason;
    }
    const started = await startHelper(process.execPath, [new URL('./server-child.mjs', import.meta.url).pathname]);
    server = started.child;
    const base = started.info.url;
    const bgUrl = `${base}/res/big.bin?size=1g`;
    // Warm-up: the pattern buffer, the page cache for nginx's file, the TCP paths.
    await curl(`${base}/res/big.bin?size=64m`);
    if (nginx) await curl(`${nginx.url}/big.bin`);
    const baseline = procMemory(server.pid);
    let peakRss = baseline.rss;
    const sampler = setInterval(() => {
      const m = procMemory(server.pid);
      if (Number.isFinite(m.rss)) peakRss = Math.max(peakRss, m.rss);
    }, 25);
    try {
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first, so neither always gets the quieter slot.
        const order = i % 2 === 0 ? ['bgprobe', 'nginx'] : ['nginx', 'bgprobe'];
        for (const who of order) {
          if (who === 'nginx' && !nginx) continue;
          const r = await curl(who === 'bgprobe' ? bgUrl : `${nginx.url}/big.bin`);
          if (r.bytes !== GIB) throw new Error(`${who}: got ${r.bytes} bytes, expected ${GIB}`);
          out[who].push(r);
          log(`  server run ${i + 1}/${runs} ${who}: ${r.mbps.toFixed(0)} MiB/s`);
        }
      }
    } finally {
      clearInterval(sampler);
    }
    const end = procMemory(server.pid);
    peakRss = Math.max(peakRss, end.rss);
    out.memory = { baselineMB: baseline.rss / MIB, peakMB: peakRss / MIB, growthMB: (peakRss - baseline.rss) / MIB, hwmMB: end.hwm / MIB };
    out.bgprobeMedianMBps = median(out.bgprobe.map((r) => r.mbps));
    out.nginxMedianMBps = nginx ? median(out.nginx.map((r) => r.mbps)) : null;
    // Ratio of each alternated pair, then the median: a pair shares the machine's mood.
    out.pairRatios = nginx ? out.bgprobe.map((r, i) => r.mbps / out.nginx[i].mbps) : [];
    out.ratio = nginx ? median(out.pairRatios) : null;
    return out;
  } finally {
    if (server) await stopChild(server);
    if (nginx) await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
