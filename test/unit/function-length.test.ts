// docs/architecture.md's "functions under ~80 lines", read off the sources with the TypeScript compiler:
// every function, method, accessor, constructor and arrow function in src/ longer than
// MAX_LINES lines fails here unless a comment directly above it (the JSDoc or line comments
// on the lines before it, or before the statement that holds it) contains `long:` (any case)
// followed by the reason, e.g. `// Long: its body is one script the browser evaluates`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
// 80 formatted lines: the limit was 60 when lines ran to 250 characters; Prettier at width 140
// wraps what those held so the 60-line functions of then measure 61-84 now (the two over 80 were split). The size, not the unit, is the rule.
const MAX_LINES = 80;
const REASON = /\blong:\s*\S/i;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

type Fn = ts.FunctionLikeDeclaration & { body: ts.Node };

function isFunction(node: ts.Node): node is Fn {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node)) &&
    node.body !== undefined
  );
}

function nameOf(fn: Fn, file: ts.SourceFile): string {
  if (fn.name) return fn.name.getText(file);
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText(file);
  }
  return '(anonymous)';
}

/** The comments before the function, or before the declaration/property/statement it is the value of. */
function commentsAbove(fn: Fn, file: ts.SourceFile): string {
  const text = file.getFullText();
  let holders: ts.Node[] = [fn];
  for (let n: ts.Node = fn.parent; n && !ts.isSourceFile(n) && !ts.isBlock(n); n = n.parent) {
    holders.push(n);
    if (ts.isStatement(n) || ts.isClassElement(n) || ts.isPropertyAssignment(n)) break;
  }
  holders = holders.filter((h) => h.pos >= 0);
  return holders
    .flatMap((h) => ts.getLeadingCommentRanges(text, h.pos) ?? [])
    .map((r) => text.slice(r.pos, r.end))
    .join('\n');
}

interface LongFunction {
  where: string;
  lines: number;
  reason: string | null;
}

/** The functions of `text` (the source of `path`) longer than MAX_LINES, each with its `long:` reason or null. */
function longFunctions(path: string, text = readFileSync(path, 'utf8')): LongFunction[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunction(node)) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_LINES) {
        const comment = commentsAbove(node, file);
        const reason = REASON.exec(comment) ? comment.slice(comment.search(REASON)).split('\n')[0] : null;
        found.push({ where: `${relative(SRC, path)}:${start + 1} ${nameOf(node, file)}`, lines, reason });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe(`functions in src/ are at most ${MAX_LINES} lines, or say why`, () => {
  const all = sources(SRC).flatMap((path) => longFunctions(path));

  it('every longer one has a `long:` comment directly above it', () => {
    const unexplained = all.filter((f) => f.reason === null).map((f) => `${f.where} (${f.lines} lines)`);
    expect(unexplained, `split these, or put "// long: <why>" directly above each`).toEqual([]);
  });

  it('finds a long function and reads its reason (the check can fail)', () => {
    const path = join(SRC, 'probe.ts');
    // A function of n lines: its opening line, n - 2 statements, its closing line.
    const fn = (head: string, n: number, tail = '}') =>
      `${head}\n${Array.from({ length: n - 2 }, (_, i) => `  const a${i} = ${i};`).join('\n')}\n${tail}\n`;
    const text = [
      fn('function atTheLimit() {', MAX_LINES),
      fn('function oneOver() {', MAX_LINES + 1),
      `// long: data\n${fn('const told = () => {', MAX_LINES + 1, '};')}`,
    ].join('');
    expect(longFunctions(path, text)).toEqual([
      { where: `probe.ts:${MAX_LINES + 1} oneOver`, lines: MAX_LINES + 1, reason: null },
      { where: `probe.ts:${2 * MAX_LINES + 3} told`, lines: MAX_LINES + 1, reason: 'long: data' },
    ]);
  });
});
