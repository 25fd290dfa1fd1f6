/**
 * The https certificate of a WPT run, generated at start-up (nothing secret on disk, nothing to
 * expire in a checkout). The launched Chromium trusts exactly this key through
 * `--ignore-certificate-errors-spki-list=<hash>`, not a blanket `--ignore-certificate-errors`:
 * a test that expects a certificate error elsewhere still gets one. Chromium honours that flag
 * only together with --user-data-dir, which every WPT launch has (a fresh profile per file).
 */
import { selfSignedCertificate, type FixtureCertificate } from '../certificate.js';
import { WPT_ALT_HOST, WPT_HOST } from './hosts.js';

/** The WPT server's certificate: the same kind as the fixture origin's, for the WPT host names. */
export type WptCertificate = FixtureCertificate;

export function generateCertificate(): Promise<WptCertificate> {
  const names = [WPT_HOST, `*.${WPT_HOST}`, WPT_ALT_HOST, `*.${WPT_ALT_HOST}`];
  return selfSignedCertificate(
    WPT_HOST,
    names.map((value) => ({ type: 2, value })),
  );
}
