// One source per shape (docs/architecture.md, "One declaration per name"): an exported type,
// interface, class, enum or constant is declared in one file of src/ only. Re-exports
// (`export { X } from`, `export type { X } from`) are not declarations and may repeat.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `export interface X`, `export type X =`, `export class X`, `export enum X`, `export const X` (and `declare`/`abstract` forms), by name -> files. */
function exportedDeclarations(files: ReadonlyArray<{ file: string; text: string }>): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const { file, text } of files) {
    for (const m of text.matchAll(
      /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|type|class|enum|const|function|let)\s+([A-Za-z_$][\w$]*)/gm,
    )) {
      const seen = byName.get(m[1]) ?? [];
      // Overloads repeat a function's name in one file: one declaration.
      if (!seen.includes(file)) byName.set(m[1], [...seen, file]);
    }
  }
  return byName;
}

const twice = (found: Map<string, string[]>) =>
  [...found].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`);

describe('one declaration per exported name', () => {
  it('no exported type (or value) name of src/ is declared in two files', () => {
    const files = sources().map((f) => ({ file: relative(SRC, f), text: readFileSync(f, 'utf8') }));
    expect(twice(exportedDeclarations(files))).toEqual([]);
  });

  it('the check can fail: a name declared in two files is named with both', () => {
    const found = exportedDeclarations([
      { file: 'a.ts', text: 'export interface Evidence {}\nexport { Other } from "./b.js";' },
      { file: 'b.ts', text: 'export type Evidence = { x: 1 };\nexport const Other = 1;' },
    ]);
    expect(twice(found)).toEqual(['Evidence: a.ts, b.ts']);
  });
});
