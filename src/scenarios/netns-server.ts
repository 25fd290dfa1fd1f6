/**
 * A FixtureServer run as its own process, so it can be started inside a network namespace
 * (`ip netns exec NS node netns-server.js`) next to the browser under test: a socket lives in
 * the namespace of the process that opens it. Protocol on stdio, one JSON line each way:
 * it prints {"url"} when listening; "requests\n" on stdin answers {"requests":[...]}.
 */
import { createInterface } from 'node:readline';
import { FixtureServer } from '../server/index.js';

const server = await FixtureServer.start();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'requests') process.stdout.write(`${JSON.stringify({ requests: server.requests() })}\n`);
});
lines.on('close', () => {
  void server.close().then(() => process.exit(0));
});
