/**
 * Escaping for the formats Handlebars does not cover. Every string in a report may come from a
 * page, a server or a browser (a fetch title like `<img src=x onerror=alert(1)>`, a URL with
 * `]]>`), so each format has one function here and renderers use nothing else.
 */

/**
 * Characters XML 1.0 cannot hold at all, not even as `&#..;`: C0 controls but tab/LF/CR,
 * U+FFFE/U+FFFF and lone surrogates. They are shown as `\uXXXX` text instead.
 */
const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafeChars(text: string): string {
  return text.replace(XML_INVALID, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text content or an attribute value (quotes escaped; tab/LF/CR kept as references so attributes keep them). */
export function xmlText(text: string): string {
  return xmlSafeChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** A CDATA section; `]]>` inside is split across two sections so it cannot close the first. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlSafeChars(text).split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** HTML text or attribute value (for the few strings built outside Handlebars, e.g. the SVG chart). */
export function htmlText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/`/g, '&#96;');
}

/**
 * Markdown (GitHub flavour) inline text: HTML-significant characters as entities (GitHub
 * renders raw HTML), Markdown punctuation backslash-escaped, one line (a table cell must not
 * break), and `|` escaped so it cannot split a table cell.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~:-])/g, '\\$1');
}

/**
 * JSON for the inside of `<script type="application/json">`. The HTML parser ends that element
 * at the first `</script`, and `<!--` there switches it into states where a later `<script`
 * changes where it ends; so no `<` may appear at all. `>` and `&` go too (nothing then reads as
 * markup to a tool that scans the file), and U+2028/U+2029, which older JavaScript parsers took
 * for line ends. All of them can only occur inside JSON strings, where `\uXXXX` means the same
 * character to JSON.parse. Lone surrogates are already escaped by JSON.stringify.
 */
export function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
