// The page of every app: register the app's worker, start its background fetch from the
// Download button with the options in window.APP, and show what happened.
const status = document.getElementById('status');
const say = (text) => { status.textContent = text; };
const ready = navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready);
ready.then(() => { say('ready'); document.body.dataset.ready = '1'; }, (e) => say(`no service worker: ${e.message}`));

document.getElementById('download').addEventListener('click', async () => {
  const reg = await ready;
  const abs = (path) => new URL(path, location.href).href;
  try {
    const bg = await reg.backgroundFetch.fetch(window.APP.id, window.APP.requests.map(abs), {
      title: window.APP.title,
      icons: [{ src: abs('../shared/cover.svg'), sizes: '96x96', type: 'image/svg+xml' }],
    });
    say(`downloading ${bg.id}`);
    bg.addEventListener('progress', () => say(`${bg.id}: ${bg.downloaded} bytes${bg.result ? `, ${bg.result}` : ''}`));
  } catch (e) {
    say(`fetch() rejected: ${e.name}: ${e.message}`);
  }
});
