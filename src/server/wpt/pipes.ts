/**
 * wptserve's `?pipe=` response modifiers, the subset the selected tests use:
 * `status(code)`, `header(name,value[,True])`, `trickle(n:dS:...:rN)` and `sub`, chained with
 * `|`. An unknown pipe is a PipeError (500 naming it): a test that silently got an unpiped
 * response would fail for a reason nobody could see.
 */
import { PipeError } from '../../errors.js';

/** Send `bytes` of the body, or wait `ms`. */
export type TrickleStep = { send: number } | { delayMs: number };

export type PipeStep =
  | { kind: 'status'; code: number }
  | { kind: 'header'; name: string; value: string; append: boolean }
  | { kind: 'trickle'; plan: TrickleStep[] }
  | { kind: 'sub' };

/** Splits `a,b\,c` on unescaped commas; a backslash escapes the next character. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) cur += text[++i];
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((a) => a.trim()).map((a) => (/^(['"]).*\1$/.test(a) ? a.slice(1, -1) : a));
}

/** Splits on `|` outside parentheses. */
function splitSteps(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of spec) {
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (c === '|' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

export function parseTrickle(text: string): TrickleStep[] {
  const plan: TrickleStep[] = [];
  for (const token of text
    .split(':')
    .map((t) => t.trim())
    .filter(Boolean)) {
    if (/^\d+$/.test(token)) plan.push({ send: Number(token) });
    else if (/^d\d+(\.\d+)?$/.test(token)) plan.push({ delayMs: Number(token.slice(1)) * 1000 });
    else if (/^r\d+$/.test(token)) {
      // rN: the instructions so far, N more times.
      const before = [...plan];
      for (let i = 0; i < Number(token.slice(1)); i++) plan.push(...before);
    } else throw new PipeError(`trickle(${text}): "${token}" is not a byte count (100), a delay in seconds (d1) or a repeat (r2).`);
  }
  return plan;
}

export function parsePipes(spec: string): PipeStep[] {
  return splitSteps(spec).map((raw): PipeStep => {
    const m = /^(\w+)(?:\((.*)\))?$/s.exec(raw);
    if (!m) throw new PipeError(`pipe "${raw}" is not name(args).`);
    const name = m[1];
    const args = m[2] === undefined ? [] : splitArgs(m[2]);
    switch (name) {
      case 'status': {
        const code = Number(args[0]);
        if (!Number.isInteger(code) || code < 100 || code > 999) throw new PipeError(`status(${args[0] ?? ''}): not an HTTP status code.`);
        return { kind: 'status', code };
      }
      case 'header':
        if (args.length < 2 || !args[0]) throw new PipeError(`header(${m[2] ?? ''}): needs a name and a value.`);
        return { kind: 'header', name: args[0], value: args[1], append: /^true$/i.test(args[2] ?? '') };
      case 'trickle':
        return { kind: 'trickle', plan: parseTrickle(args[0] ?? '') };
      case 'sub':
        return { kind: 'sub' };
      default:
        throw new PipeError(`pipe "${name}" is not implemented by bgprobe's WPT server. Implemented: status, header, trickle, sub.`);
    }
  });
}

export interface PipedResponse {
  status: number;
  /** In order; a later `header()` without append replaces earlier values of the name. */
  headers: Array<[string, string]>;
  trickle: TrickleStep[] | null;
  sub: boolean;
}

export function applyPipes(steps: readonly PipeStep[], base: PipedResponse): PipedResponse {
  const out: PipedResponse = { ...base, headers: [...base.headers] };
  for (const step of steps) {
    if (step.kind === 'status') out.status = step.code;
    else if (step.kind === 'sub') out.sub = true;
    else if (step.kind === 'trickle') out.trickle = step.plan;
    else {
      if (!step.append) out.headers = out.headers.filter(([n]) => n.toLowerCase() !== step.name.toLowerCase());
      out.headers.push([step.name, step.value]);
    }
  }
  return out;
}

/** The body cut into the trickle plan: [chunk, delay before it]; what the plan leaves goes last. */
export function trickleChunks(body: Buffer, plan: readonly TrickleStep[]): Array<{ delayMs: number; chunk: Buffer }> {
  const out: Array<{ delayMs: number; chunk: Buffer }> = [];
  let offset = 0;
  let delay = 0;
  for (const step of plan) {
    if ('delayMs' in step) delay += step.delayMs;
    else {
      out.push({ delayMs: delay, chunk: body.subarray(offset, Math.min(body.length, offset + step.send)) });
      offset = Math.min(body.length, offset + step.send);
      delay = 0;
    }
  }
  if (offset < body.length || delay > 0) out.push({ delayMs: delay, chunk: body.subarray(offset) });
  return out;
}
