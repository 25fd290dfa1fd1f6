import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { cdata, mdText, xmlText } from '../../src/report/escape.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { validateReport } from '../../src/report/load.js';
import { bytes } from '../../src/report/view.js';
import { formatBytes } from '../../src/util/bytes.js';
import { EVIL, evilModel } from './report-fixture.js';

describe('escaping', () => {
  it('xmlText drops what XML 1.0 cannot hold and escapes markup', () => {
    expect(xmlText('a<b>&"\'\u0001\n')).toBe('a&lt;b&gt;&amp;&quot;&apos;\\u0001&#10;');
  });
  it('cdata splits ]]> so it cannot close the section', () => {
    expect(cdata('x]]>y')).toBe('<![CDATA[x]]]]><![CDATA[>y]]>');
    expect(XMLValidator.validate(`<a>${cdata('x]]>y]]>')}</a>`)).toBe(true);
  });
  it('mdText neutralises HTML, table pipes, emphasis and links', () => {
    const out = mdText(EVIL);
    expect(out).not.toMatch(/<img/);
    expect(out).not.toMatch(/(^|[^\\])\|/);
    expect(out).not.toContain('\n');
    expect(out).toContain('\\*bold\\*');
  });
});

describe('renderers on untrusted strings', () => {
  const model = evilModel();

  it('JSON round-trips and validates', () => {
    const back = validateReport(JSON.parse(renderJson(model)), 'test');
    expect(back.results[0].summary).toContain(EVIL);
  });

  it('HTML never contains the markup as markup', () => {
    const html = renderHtml(model);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('href="javascript:');
    // Self-contained: no external resource.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    expect(html).toContain('<svg');
    expect(html).toMatch(/Content-Security-Policy/);
  });

  it('Markdown carries no raw HTML and keeps the table intact', () => {
    const md = renderMarkdown(model);
    expect(md).not.toContain('<img');
    const rows = md.split('\n').filter((l) => l.startsWith('| fetch'));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(4);
  });

  it('JUnit is valid XML that a real parser reads back', () => {
    const xml = renderJunit(model);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as {
      testsuites: { testsuite: { testcase: Array<{ '@name': string; failure?: { '@message': string }; error?: unknown }> } };
    };
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(3);
    expect(cases[0]['@name']).toContain('<img src=x onerror=alert(1)>');
    expect(cases[0].failure!['@message']).toContain(']]>');
    expect(cases[1].error).toBeDefined();
  });
});

describe('sizes', () => {
  it('reports format bytes as the recorder and the matchers do (one formatter), blank when unknown', () => {
    // The formatter the recorder and the matchers use, and the sizes a report shows: the same text.
    const cases: Array<[number, string]> = [
      [0, '0 B'],
      [512, '512 B'],
      [2048, '2.0 KiB'],
      [65_536, '64.0 KiB'],
      [1_500_000, '1.4 MiB'],
      [3 * 1024 ** 3, '3.0 GiB'],
    ];
    for (const [n, text] of cases) {
      expect(bytes(n)).toBe(text);
      expect(formatBytes(n)).toBe(text);
    }
    expect(bytes(null)).toBe('');
    expect(bytes(undefined)).toBe('');
  });
});
