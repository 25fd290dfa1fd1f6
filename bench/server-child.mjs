// The FixtureServer in a process of its own, so the parent can sample this process's RSS
// while a client in a third process downloads from it. Prints its URL as one JSON line, then
// serves until stdin closes (the parent going away must not leave it running).
const { FixtureServer } = await import(new URL('../dist/server/index.js', import.meta.url).href);

const server = await FixtureServer.start();
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
