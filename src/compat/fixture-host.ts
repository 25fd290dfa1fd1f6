/**
 * Where the fixture origin listens when a browser is on another host (`--fixture-host`, or a
 * Grid that is not on this machine): there, over https with a certificate generated for the
 * run, which every Chromium lane trusts by its key (`--ignore-certificate-errors-spki-list`).
 * Background Fetch needs a secure context, and only a loopback origin is one over plain http
 * (measured through a Grid: https + SPKI and --unsafely-treat-insecure-origin-as-secure both
 * work; the latter names each origin, and every scenario has an origin of its own, so https).
 */
import type { BrowserSpec } from '../browsers/types.js';
import { fixtureCertificate, trustFlag } from '../server/certificate.js';
import { isLoopback, localAddressToward } from '../util/net.js';

/** The address to serve on: the one given, else for a Grid elsewhere the address this machine reaches it from; null: 127.0.0.1 as always. */
export async function fixtureHostFor(specs: readonly BrowserSpec[], given: string | null): Promise<string | null> {
  if (given) return given;
  const remoteGrid = specs.find((s) => s.kind === 'grid' && s.target && !isLoopback(new URL(s.target).hostname));
  return remoteGrid?.target ? localAddressToward(new URL(remoteGrid.target).hostname) : null;
}

/** `specs` with the fixture origin on `host` (https off loopback) and the certificate's key trusted by each Chromium lane. */
export async function withFixtureHost(specs: BrowserSpec[], host: string | null): Promise<BrowserSpec[]> {
  if (!host) return specs;
  if (isLoopback(host)) return specs.map((s) => ({ ...s, fixture: { host, tls: null } }));
  const certificate = await fixtureCertificate(host);
  const tls = { key: certificate.key, cert: certificate.cert };
  return specs.map((s) => ({
    ...s,
    fixture: { host, tls },
    args: (s.engine ?? 'chromium') === 'chromium' ? [...s.args, trustFlag(certificate)] : s.args,
  }));
}
