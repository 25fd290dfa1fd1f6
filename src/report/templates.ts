/**
 * Handlebars templates and partials from the package's reports/ folder, compiled once in a
 * private Handlebars environment (helpers registered here do not leak into a user's own).
 *
 * Handlebars escapes for HTML only. The HTML templates rely on that (`{{x}}`, never `{{{x}}}`
 * for data); the Markdown template is compiled with noEscape and fed a view whose every string
 * went through mdText first (see markdown.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

// ../../reports from src/report/ and from dist/report/ alike.
export function templatesDir(): string {
  return fileURLToPath(new URL('../../reports/', import.meta.url));
}

type Env = typeof Handlebars;
let htmlEnv: Env | null = null;
const cache = new Map<string, HandlebarsTemplateDelegate>();

function env(): Env {
  if (htmlEnv) return htmlEnv;
  const hb = Handlebars.create();
  const dir = join(templatesDir(), 'partials');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.hbs'))
    .sort()) {
    hb.registerPartial(basename(f, '.hbs'), readFileSync(join(dir, f), 'utf8'));
  }
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  htmlEnv = hb;
  return hb;
}

/** A template from reports/<name>; `noEscape` only for formats pre-escaped by their renderer. */
export function template(name: string, options: { noEscape?: boolean } = {}): HandlebarsTemplateDelegate {
  const key = `${name}${options.noEscape ? ':raw' : ''}`;
  let t = cache.get(key);
  if (!t) {
    const source = readFileSync(join(templatesDir(), name), 'utf8');
    t = env().compile(source, { noEscape: options.noEscape === true, strict: false, preventIndent: true });
    cache.set(key, t);
  }
  return t;
}

export function safe(html: string): Handlebars.SafeString {
  return new Handlebars.SafeString(html);
}
