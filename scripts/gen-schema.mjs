#!/usr/bin/env node
/**
 * reports/report.schema.json, generated from the report's types (src/report/model.ts,
 * `ReportFile`): the one source of the file's shape. Run by `npm run build` (and make build);
 * `--check [file]` exits 1, naming the file, when the committed schema (or `file`) differs from
 * the generated one (test/unit/report-schema.test.ts runs it).
 *
 * ts-json-schema-generator writes draft-07; the loader (src/report/load.ts) compiles 2020-12
 * with Ajv2020, so `definitions` become `$defs` and tuples `prefixItems`. Objects stay open
 * (no additionalProperties: false): a newer bgprobe of the same schemaVersion may add
 * optional fields, and an older one must still read its file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'reports/report.schema.json');

/** draft-07 -> 2020-12: `$defs`, their refs, and tuples as prefixItems. */
function to2020(node) {
  if (Array.isArray(node)) return node.map(to2020);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/definitions/', '#/$defs/');
    else if (k === 'definitions') out.$defs = to2020(v);
    else if (k === 'items' && Array.isArray(v)) out.prefixItems = to2020(v);
    else if (k === 'additionalItems') continue;
    else out[k] = to2020(v);
  }
  return out;
}

export function generateSchema() {
  const generated = createGenerator({
    path: join(repo, 'src/report/model.ts'),
    tsconfig: join(repo, 'tsconfig.json'),
    type: 'ReportFile',
    skipTypeCheck: true,
    additionalProperties: true,
    topRef: false,
    sortProps: true,
  }).createSchema('ReportFile');
  const { $schema: _draft07, description: _doc, definitions, ...root } = generated;
  const schema = to2020({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'bgprobe report.json, schemaVersion 1',
    description:
      'The report bgprobe compat, audit, wpt, merge and report write, and report, diff, merge and compat --baseline read back. Generated from src/report/model.ts (ReportFile) by scripts/gen-schema.mjs: do not edit. Field meanings: reports/SCHEMA.md.',
    ...root,
    definitions,
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

const text = generateSchema();
const check = process.argv.indexOf('--check');
if (check >= 0) {
  const file = process.argv[check + 1] ?? OUT;
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // a missing file differs
  }
  if (committed !== text) {
    process.stderr.write(
      `${file} differs from the schema generated from src/report/model.ts: run \`npm run build\` (or node scripts/gen-schema.mjs) and commit reports/report.schema.json.\n`,
    );
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
}
