// Opening the 100,000-event report.html (report-model.mjs, written by writeReport as compat
// writes it) in Chromium, as a reader does: a fresh page per run, times taken in the page.
//   open    navigation start -> load event -> the next frame painted (the matrix is the first
//           screen, so that frame shows it)
//   link    click the last scenario's result in the matrix (its badge) -> the frame painted
//           after the jump, the result open on screen
//   rows    scrollIntoView() that result's events table -> its rows on screen, painted
//           (drawn on demand when the table is an island; already there when it is plain rows)
// Prints JSON: medians of `runs`, each run's figures, the browser version and the file size.
//   node bench/html-open-child.mjs [runs=3] [report.html to open instead of writing one]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { benchReportModel } from './report-model.mjs';
import { median } from './stats.mjs';

const runs = Number(process.argv[2] ?? 3);
const given = process.argv[3];
const executablePath = process.env.BGPROBE_BROWSER ?? '/usr/bin/chromium';

async function reportFile(dir) {
  if (given) return given;
  const { writeReport } = await import(new URL('../dist/report/write.js', import.meta.url).href);
  const { model } = await benchReportModel();
  return writeReport(join(dir, 'report'), model, ['html']).html;
}

async function oneRun(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
    // Resolves once the frame after now has been painted.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    const open = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        loadMs: nav.loadEventEnd,
        paintedMs: performance.now(),
        fcpMs: fcp ? fcp.startTime : null,
        domNodes: document.getElementsByTagName('*').length,
      };
    });
    // The last scenario's result, as a reader gets there: its badge in the matrix (a link to the
    // result, which report.js opens if closed), then its events table scrolled into view.
    const linkMs = await page.evaluate(async () => {
      const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const badges = document.querySelectorAll('table.matrix a.badge');
      const link = badges[badges.length - 1];
      const t0 = performance.now();
      link.click();
      await painted();
      const target = document.getElementById(link.getAttribute('href').slice(1));
      const top = target.getBoundingClientRect().top;
      // At the top, or lower when the page ends before a closed result could reach the top.
      if (!target.open || top < 0 || top >= innerHeight)
        throw new Error(`the last result is not open on screen after its link: open ${target.open}, ${top}px`);
      return performance.now() - t0;
    });
    const rowsMs = await page.evaluate(async () => {
      const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const table = document.getElementById(location.hash.slice(1)).querySelector('table.events');
      const t0 = performance.now();
      table.scrollIntoView();
      for (;;) {
        await painted();
        // An event row has 8 cells; a stand-in for rows not drawn yet has one.
        const onScreen = [...table.querySelectorAll('tbody > tr')].some((tr) => {
          const b = tr.getBoundingClientRect();
          return tr.cells.length === 8 && b.height > 0 && b.bottom > 0 && b.top < innerHeight;
        });
        if (onScreen) return performance.now() - t0;
        if (performance.now() - t0 > 60_000) throw new Error('the last events table drew no rows in 60 s');
      }
    });
    return { ...open, linkMs, rowsMs };
  } finally {
    await page.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-open-'));
try {
  const file = await reportFile(dir);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await chromium.launch({
    executablePath,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', ...(root ? ['--no-sandbox'] : [])],
  });
  try {
    const url = pathToFileURL(file).href;
    const each = [];
    for (let i = 0; i < runs; i++) each.push(await oneRun(browser, url));
    const med = (k) => median(each.map((r) => r[k]));
    const out = {
      version: browser.version(),
      bytes: statSync(file).size,
      loadMs: med('loadMs'),
      paintedMs: med('paintedMs'),
      linkMs: med('linkMs'),
      rowsMs: med('rowsMs'),
      domNodes: each[0].domNodes,
      runs: each,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
