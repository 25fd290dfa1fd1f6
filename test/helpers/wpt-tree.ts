// A temporary WPT-shaped checkout for the wpt tests: our own tree (test/wpt-tree), the harness
// files from the wpt-runner devDependency (never committed here), and bgprobe's own testdriver shim.
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const HARNESS = join(REPO, 'node_modules/wpt-runner/testharness');

/**
 * A new temporary directory holding the tree; `webidl2` adds resources/webidl2/lib/webidl2.js and
 * resources/idlharness.js (bgprobe's wptserve serves /resources/WebIDLParser.js from the former).
 */
export function makeWptTree(prefix: string, options: { webidl2?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, 'test/wpt-tree'), root, { recursive: true });
  mkdirSync(join(root, 'resources'), { recursive: true });
  cpSync(join(HARNESS, 'testharness.js'), join(root, 'resources/testharness.js'));
  cpSync(join(REPO, 'test/helpers/wpt-testdriver-shim.js'), join(root, 'resources/testdriver.js'));
  if (options.webidl2) {
    mkdirSync(join(root, 'resources/webidl2/lib'), { recursive: true });
    cpSync(join(HARNESS, 'webidl2/lib/webidl2.js'), join(root, 'resources/webidl2/lib/webidl2.js'));
    cpSync(join(HARNESS, 'idlharness.js'), join(root, 'resources/idlharness.js'));
  }
  return root;
}
