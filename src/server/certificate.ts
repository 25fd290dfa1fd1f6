/**
 * The https certificate of a fixture origin that a browser on another host reaches
 * (`--fixture-host`). Background Fetch needs a secure context, and only loopback origins are
 * one over plain http: a page from http://192.0.2.1:PORT has no `navigator.serviceWorker`.
 * The certificate is generated per run (nothing on disk, nothing to expire) and the browser
 * trusts exactly its key through `--ignore-certificate-errors-spki-list=<hash>`, passed in the
 * session's `goog:chromeOptions.args`: a node's Chrome has a --user-data-dir (chromedriver's
 * own), which that flag needs. (`--unsafely-treat-insecure-origin-as-secure=<origin>` was
 * measured too: see docs/grid.md.)
 */
import { createHash, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';

export interface FixtureCertificate {
  key: string;
  cert: string;
  /** base64(sha256(SubjectPublicKeyInfo DER)): the value of --ignore-certificate-errors-spki-list. */
  spkiHash: string;
}

/** A certificate for `host` (an IP address or a name), valid from yesterday for 30 days. */
export function fixtureCertificate(host: string): Promise<FixtureCertificate> {
  return selfSignedCertificate(host, [isIP(host) ? { type: 7, ip: host } : { type: 2, value: host }]);
}

/** A subjectAltName entry: 2 a DNS name (wildcards allowed), 7 an IP address. */
export type AltName = { type: 2; value: string } | { type: 7; ip: string };

/**
 * A self-signed server certificate for `altNames`, valid from yesterday for 30 days, with the
 * SPKI hash Chromium's --ignore-certificate-errors-spki-list takes. The fixture origin's and
 * the WPT server's certificates are both made here.
 */
export async function selfSignedCertificate(commonName: string, altNames: AltName[]): Promise<FixtureCertificate> {
  const selfsigned = await import('selfsigned');
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const spki = createPublicKey(pems.private).export({ type: 'spki', format: 'der' });
  return { key: pems.private, cert: pems.cert, spkiHash: createHash('sha256').update(spki).digest('base64') };
}

/** The Chromium flag that makes `certificate` trusted (and only it). */
export function trustFlag(certificate: FixtureCertificate): string {
  return `--ignore-certificate-errors-spki-list=${certificate.spkiHash}`;
}
