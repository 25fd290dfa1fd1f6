/**
 * Reading the project's documentation as the docs tests check it: the fenced blocks of
 * README.md and docs/*.md, the `bgprobe ...` command lines in them (split as a POSIX shell
 * would split words), and the relative links. Pure functions over text, so a unit test can
 * feed them a line with a typo and watch the check fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocFile {
  path: string;
  text: string;
}

export interface Fence {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
}

export interface CommandLine {
  file: string;
  line: number;
  /** The command as written (continuation lines joined). */
  source: string;
  /** The words after `bgprobe`. */
  argv: string[];
}

/** README.md and every docs/*.md of a checkout, README first. */
export function readDocs(root = '.'): DocFile[] {
  const pages = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...pages].map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** The fenced code blocks of a Markdown file (``` only; the docs use no ~~~ fences). */
export function fences(file: DocFile): Fence[] {
  const out: Fence[] = [];
  const lines = file.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    out.push({ file: file.path, line: start + 1, lang: open[1] ?? '', body: body.join('\n') });
  }
  return out;
}

/**
 * Shell words of one command line: single and double quotes, backslash escapes, and the
 * operators that end a simple command (`&&`, `||`, `|`, `;`, `&`) as words of their own.
 * A `#` at the start of a word starts a comment. Enough for documentation, not a shell.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const push = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed ${c} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i++;
    } else if (/\s/.test(c)) {
      push();
    } else if (c === '#' && word === null) {
      break;
    } else if ('&|;'.includes(c)) {
      push();
      const two = line.slice(i, i + 2);
      const op = two === '&&' || two === '||' ? two : c;
      words.push(op);
      i += op.length - 1;
    } else {
      word = (word ?? '') + c;
    }
  }
  push();
  return words;
}

const OPERATORS = new Set(['&&', '||', '|', ';', '&']);

/** The `bgprobe` (or `npx bgprobe`) invocations in one shell line, each as its argv. */
export function bgprobeInvocations(line: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  const words = shellWords(line);
  for (const w of [...words, ';']) {
    if (!OPERATORS.has(w)) {
      current.push(w);
      continue;
    }
    const cmd = current[0] === 'npx' ? current.slice(1) : current;
    if (cmd[0] === 'bgprobe') out.push(cmd.slice(1));
    current = [];
  }
  return out;
}

/**
 * Every `bgprobe ...` command of the runnable blocks: whole ```sh blocks, and the `$ ` prompt
 * lines of a transcript (``` blocks without a language show output after those). A trailing
 * backslash continues a line, as in a shell.
 */
export function commandLines(file: DocFile): CommandLine[] {
  const out: CommandLine[] = [];
  for (const fence of fences(file)) {
    const shell = fence.lang === 'sh' || fence.lang === 'bash' || fence.lang === 'shell';
    if (!shell && fence.lang !== '') continue;
    const lines = fence.body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i] ?? '';
      const at = fence.line + 1 + i;
      if (!shell) {
        if (!text.startsWith('$ ')) continue;
        text = text.slice(2);
      }
      while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + (lines[++i] ?? '');
      for (const argv of bgprobeInvocations(text)) out.push({ file: file.path, line: at, source: text.trim(), argv });
    }
  }
  return out;
}

/** The values a command gives a repeatable flag (`--scenario a --scenario=b`). */
export function flagValues(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === `--${flag}` && i + 1 < argv.length) out.push(argv[++i] ?? '');
    else if (a.startsWith(`--${flag}=`)) out.push(a.slice(flag.length + 3));
  }
  return out;
}

export interface Link {
  file: string;
  target: string;
}

/** Relative Markdown links `[text](target)` outside code: no scheme, no mailto. */
export function relativeLinks(file: DocFile): Link[] {
  const prose = file.text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const out: Link[] = [];
  for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.push({ file: file.path, target });
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (a repeated heading gets -1, -2, as on GitHub). */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const prose = text.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of prose.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = anchorOf(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
