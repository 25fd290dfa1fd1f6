// Record one background fetch of the built-in podcast app and print its timeline.
// Run: node examples/record-a-fetch.mjs   (after `make test` or `npm ci && npm run build`)
import { launch, FixtureServer, BackgroundServiceRecorder, formatTimeline } from 'bgprobe';

const server = await FixtureServer.start(); // 127.0.0.1, a free port
const browser = await launch(); // BGPROBE_BROWSER, a Playwright Chromium, or the system one
const context = await browser.newContext();
const recorder = await BackgroundServiceRecorder.attach(context, { services: ['backgroundFetch'], server });

const page = await context.newPage();
await page.goto(`${server.url}/podcast/?media=res&size=2m&rate=4m`);
await page.locator('body[data-sw-ready="1"]').waitFor();
await page.click('text=Download episode 5');

// 'settled': completed, and the service worker got its event (updateUI and records come then).
const fetch = await recorder.waitForFetch('episode-5', { until: 'settled', timeout: 30_000 });
console.log(formatTimeline(fetch));
console.log(fetch.outcome, fetch.requests.map((r) => `${r.status} ${r.bytes}`).join(', '));

await recorder.dispose();
await browser.close();
await server.close();
