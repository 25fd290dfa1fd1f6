// The page every audit test app shares: register the app's worker, and start its background
// fetch from the #download button with the options in window.APP.
const status = document.getElementById('status');
const say = (text) => { status.textContent = text; };
const ready = navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready);
ready.then(() => say('ready'), (e) => say(`no service worker: ${e.message}`));

async function start() {
  const reg = await ready;
  const abs = (path) => new URL(path, location.href).href;
  const requests = window.APP.requests.map(abs);
  const options = JSON.parse(JSON.stringify(window.APP.options || {}), (k, v) => (k === 'src' ? abs(v) : v));
  const calls = window.APP.twice ? 2 : 1;
  for (let i = 0; i < calls; i++) {
    try {
      const bg = await reg.backgroundFetch.fetch(window.APP.id, requests, options);
      say(`started ${bg.id}`);
    } catch (e) {
      say(`fetch() rejected: ${e.name}: ${e.message}`);
      alert(`Download could not start: ${e.message}`);
    }
  }
}

document.getElementById('download').addEventListener('click', () => { void start(); });
