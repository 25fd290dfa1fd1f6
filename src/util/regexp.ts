/** `s` as a regular expression that matches exactly `s`. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A glob as a regular expression that matches the whole string: `?` is one character, `*` any
 * run of them. Scenario ids (`fetch.*`, `*.abort.*`) give no separator, so `*` crosses dots.
 * Paths give `/`: then `*` and `?` stay within a segment and `**` (with the `/` after it)
 * spans segments (`background-fetch/**` + `/*.js`, as a shell's globstar).
 */
export function globToRegExp(glob: string, separator?: string): RegExp {
  const one = separator ? `[^${escapeRegExp(separator)}]` : '.';
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && separator && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === separator) i++;
    } else if (c === '*') re += `${one}*`;
    else if (c === '?') re += one;
    else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`);
}
