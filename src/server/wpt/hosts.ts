/**
 * The host names wptrunner gives a WPT server: `web-platform.test`, its subdomains (two of them
 * non-ASCII, so tests meet IDNA) and the `alt` host. All of them resolve to 127.0.0.1 inside the
 * launched browser (--host-resolver-rules), never in the system resolver.
 *
 * Not `localhost`: a localhost origin is potentially trustworthy, so `http://localhost:<port>`
 * is not mixed content on an https page and the mixed-content subtests would test nothing.
 */
import { domainToASCII } from 'node:url';

export const WPT_HOST = 'web-platform.test';
export const WPT_ALT_HOST = 'not-web-platform.test';
export const WPT_SUBDOMAINS = ['www', 'www1', 'www2', '天気の良い日', 'élève'] as const;

export interface WptHosts {
  /** `hosts[alias][subdomain]`: alias '' is the main host, 'alt' the alternate one. */
  hosts: Record<string, Record<string, string>>;
  /** `domains[subdomain]` = hosts[''][subdomain]. */
  domains: Record<string, string>;
  /** Every name the browser must resolve (ASCII). */
  all: string[];
}

export function wptHosts(): WptHosts {
  const hosts: Record<string, Record<string, string>> = {};
  for (const [alias, base] of [
    ['', WPT_HOST],
    ['alt', WPT_ALT_HOST],
  ] as const) {
    const row: Record<string, string> = { '': base };
    for (const sub of WPT_SUBDOMAINS) row[sub] = domainToASCII(`${sub}.${base}`);
    hosts[alias] = row;
  }
  const all = Object.values(hosts).flatMap((row) => Object.values(row));
  return { hosts, domains: { ...hosts[''] }, all };
}

/** `--host-resolver-rules` mapping every WPT name to loopback (anything else resolves normally). */
export function hostResolverRules(hosts: WptHosts = wptHosts()): string {
  return hosts.all.map((h) => `MAP ${h} 127.0.0.1`).join(', ');
}
