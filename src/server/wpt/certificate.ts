/**
 * The https certificate of a WPT run, generated at start-up (nothing secret on disk, nothing to
 * expire in a checkout). The launched Chromium trusts exactly this key through
 * `--ignore-certificate-errors-spki-list=<hash>`, not a blanket `--ignore-certificate-errors`:
 * a test that expects a certificate error elsewhere still gets one. Chromium honours that flag
 * only together with --user-data-dir, which every WPT launch has (a fresh profile per file).
 */
import { createHash, createPublicKey } from 'node:crypto';
import { WPT_ALT_HOST, WPT_HOST } from './hosts.js';

export interface WptCertificate {
  key: string;
  cert: string;
  /** base64(sha256(SubjectPublicKeyInfo DER)): the value of --ignore-certificate-errors-spki-list. */
  spkiHash: string;
}

export async function generateCertificate(): Promise<WptCertificate> {
  const selfsigned = await import('selfsigned');
  const names = [WPT_HOST, `*.${WPT_HOST}`, WPT_ALT_HOST, `*.${WPT_ALT_HOST}`];
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: WPT_HOST }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) },
    ],
  });
  const spki = createPublicKey(pems.private).export({ type: 'spki', format: 'der' });
  return { key: pems.private, cert: pems.cert, spkiHash: createHash('sha256').update(spki).digest('base64') };
}
