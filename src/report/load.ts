/**
 * Reading a report.json back (report, diff, merge, compat --baseline): checked against
 * reports/report.schema.json before any renderer touches it, so a hand-edited, truncated or
 * foreign file is one line naming the field (exit 2), never a TypeError half-way through.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { InputFormatError } from '../errors.js';
import { SCHEMA_VERSION, VERDICTS, type ReportFile, type ReportModel } from './model.js';

const REDO = 'Give a report.json written by bgprobe compat (or merge).';

let validator: ValidateFunction<ReportFile> | null = null;

/** Compiled on first use: `bgprobe compat` without --baseline never pays for it. */
function schemaValidator(): ValidateFunction<ReportFile> {
  if (!validator) {
    // ../../reports from src/report/ and from dist/report/ alike.
    const schema = JSON.parse(readFileSync(new URL('../../reports/report.schema.json', import.meta.url), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: false, strict: true }).compile<ReportFile>(schema);
  }
  return validator;
}

/** A missing file, bad JSON, another schemaVersion or a field of the wrong type is an InputFormatError (exit 2). */
export function loadReport(path: string): ReportModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputFormatError(
      `Cannot read the report ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputFormatError(`${path} is not JSON (${(e as Error).message}). ${REDO}`);
  }
  return validateReport(data, path);
}

export function validateReport(data: unknown, source: string): ReportModel {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new InputFormatError(`${source} is not a bgprobe report: expected a JSON object.`);
  const version = (data as Record<string, unknown>)['schemaVersion'];
  if (version === undefined) throw new InputFormatError(`${source} is not a bgprobe report: it has no schemaVersion. ${REDO}`);
  // Checked before the schema: a newer file's first difference would otherwise be named instead.
  if (version !== SCHEMA_VERSION) {
    throw new InputFormatError(
      `${source} has schemaVersion ${JSON.stringify(version)}; this bgprobe reads schemaVersion ${SCHEMA_VERSION}. Re-run bgprobe compat with this version.`,
    );
  }
  const validate = schemaValidator();
  if (!validate(data)) throw new InputFormatError(`${source}: ${describeError(validate.errors?.[0], data)} ${REDO}`);
  return withLaterFields(data);
}

/** Fields a later bgprobe added, absent in an older report (ReportFile), read as "measured nothing, ran once". */
function withLaterFields(report: ReportFile): ReportModel {
  for (const r of report.results) {
    r.took ??= null;
    r.flaky ??= false;
    r.attempts ??= [];
  }
  const byVerdict: Partial<Record<(typeof VERDICTS)[number], number>> = report.summary.byVerdict;
  for (const v of VERDICTS) byVerdict[v] ??= 0;
  // Every field ReportFile leaves optional is filled in above.
  return report as ReportModel;
}

/** `/browsers/0/crashes/0/at` -> `browsers[0].crashes[0].at`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), '');
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const p of pointer.split('/').slice(1))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return v;
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', integer: 'an integer', null: 'null' };

/** One ajv error as `<field> should be <what>, got <what it is>.` */
function describeError(e: ErrorObject | undefined, data: unknown): string {
  if (!e) return 'does not match reports/report.schema.json.';
  const path = fieldPath(e.instancePath) || 'the report';
  const got = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'required':
      return `${path === 'the report' ? '' : `${path}.`}${String(e.params['missingProperty'])} is missing.`;
    case 'type': {
      const want = String(e.params['type'])
        .split(',')
        .map((t) => ARTICLE[t] ?? `a ${t}`)
        .join(' or ');
      return `${path} should be ${want}, got ${kindOf(got)}.`;
    }
    case 'enum':
      return `${path} should be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(got)}.`;
    case 'const':
      return `${path} should be ${JSON.stringify(e.params['allowedValue'])}, got ${JSON.stringify(got)}.`;
    default:
      return `${path} ${e.message ?? 'does not match the schema'} (reports/report.schema.json).`;
  }
}
