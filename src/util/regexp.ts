/** `s` as a regular expression that matches exactly `s`. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `fetch.*`, `*.abort.*`, `fetch.success.one`: `*` matches any run of characters, dots included. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.split('?').map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.'))
    .join('.*');
  return new RegExp(`^${body}$`);
}
