// The --script of docs/audit.md: how an app's download is started when one click is not enough.
// Run: bgprobe audit http://127.0.0.1:8080/podcast/ --script examples/start-download.mjs
export default async function startDownload(page) {
  await page.locator('body[data-sw-ready="1"]').waitFor(); // the app's service worker is active
  await page.click('text=Download episode 2');
}
