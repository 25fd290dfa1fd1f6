/**
 * wptserve's `.sub.` substitution: `{{host}}`, `{{ports[https][0]}}`, `{{domains[www1]}}`,
 * `{{hosts[alt][www]}}`, `{{location[host]}}`, `{{GET[name]}}`, `{{headers[name]}}`,
 * `{{uuid()}}`, and `{{$id:expr}}` / `{{$id}}` variables. A template that names something
 * this subset does not know is a SubstitutionError (the server answers 500 with its text), never
 * a silent empty string a test would then misread.
 */
import { randomUUID } from 'node:crypto';
import type { WptHosts } from './hosts.js';
import { SubstitutionError } from '../../errors.js';

export interface SubstitutionContext {
  hosts: WptHosts;
  /** Ports by scheme: http, https (two each), ws, wss. */
  ports: Record<string, number[]>;
  /** The request URL as the browser sent it. */
  url: URL;
  /** Lower-cased request header names. */
  headers: Record<string, string>;
}

const TEMPLATE = /\{\{([^{}]*)\}\}/g;

function location(url: URL, key: string): string {
  switch (key) {
    case 'server':
      return url.origin;
    case 'scheme':
      return url.protocol.slice(0, -1);
    case 'host':
      return url.host;
    case 'hostname':
      return url.hostname;
    case 'port':
      return url.port;
    case 'path':
    case 'pathname':
      return url.pathname;
    case 'query':
      return url.search;
    default:
      throw new SubstitutionError(`{{location[${key}]}}: unknown key. Valid: server, scheme, host, hostname, port, path, pathname, query.`);
  }
}

/** `name[a][b]` -> ['name', 'a', 'b']. */
function parseExpression(expr: string): string[] {
  const m = /^([A-Za-z_$][\w$]*)((?:\[[^\]]*\])*)$/.exec(expr.trim());
  if (!m) throw new SubstitutionError(`{{${expr}}}: not a substitution this server understands.`);
  const keys = [...m[2].matchAll(/\[([^\]]*)\]/g)].map((k) => k[1]);
  return [m[1], ...keys];
}

function lookup(expr: string, ctx: SubstitutionContext, vars: Map<string, string>): string {
  if (expr.trim() === 'uuid()') return randomUUID();
  const [name, ...keys] = parseExpression(expr);
  const pick = (table: Record<string, unknown> | undefined, key: string | undefined): unknown => {
    if (table === undefined || key === undefined || !(key in table)) throw new SubstitutionError(`{{${expr}}}: no such entry.`);
    return table[key];
  };
  switch (name) {
    case 'host':
      return ctx.hosts.hosts[''][''];
    case 'domains':
      return String(pick(ctx.hosts.domains, keys[0]));
    case 'hosts':
      return String(pick(pick(ctx.hosts.hosts, keys[0]) as Record<string, unknown>, keys[1]));
    case 'ports': {
      const list = pick(ctx.ports, keys[0]) as number[];
      const port = list[Number(keys[1] ?? 0)];
      if (port === undefined) throw new SubstitutionError(`{{${expr}}}: no such port.`);
      return String(port);
    }
    case 'location':
      return location(ctx.url, keys[0] ?? '');
    case 'GET':
      return ctx.url.searchParams.get(keys[0] ?? '') ?? '';
    case 'headers':
      return ctx.headers[(keys[0] ?? '').toLowerCase()] ?? '';
    default:
      if (name.startsWith('$') && vars.has(name.slice(1))) return vars.get(name.slice(1))!;
      throw new SubstitutionError(
        `{{${expr}}}: unknown name "${name}". Valid: host, domains, hosts, ports, location, GET, headers, uuid(), $variables.`,
      );
  }
}

/** The text with every `{{...}}` replaced. */
export function substitute(text: string, ctx: SubstitutionContext): string {
  const vars = new Map<string, string>();
  return text.replace(TEMPLATE, (_all, inner: string) => {
    const assign = /^\s*\$([A-Za-z_]\w*)\s*:(.*)$/s.exec(inner);
    if (assign) {
      const value = lookup(assign[2], ctx, vars);
      vars.set(assign[1], value);
      return value;
    }
    return lookup(inner, ctx, vars);
  });
}
