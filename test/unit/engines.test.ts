// The engines layer's light parts and the BCD table: which engines a --browser names, what a
// missing one says, the gate's not-automatable reason, the installed BCD's keys and
// statements, and the table and collector files built from a report.
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { EngineNotInstalledError, UsageError } from '../../src/errors.js';
import { backgroundFetchKeys, specExposures, statementFor } from '../../src/bcd/data.js';
import { engineOfPath, findEngine, installedEngines, missingPart } from '../../src/browsers/installed.js';
import { collectorReports } from '../../src/report/bcd-collector.js';
import { bcdTable, rowLabel } from '../../src/report/bcd-table.js';
import { missingEvidence } from '../../src/compat/gate.js';
import { browserSpecs } from '../../src/browsers/spec.js';
import { SCENARIOS } from '../../src/scenarios/registry.js';
import { model, result } from './report-fixture.js';

const PATH = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = PATH;
});

/** MDN's own grouping of the feature (web-features tag), a witness independent of bgprobe's selection. */
function taggedKeys(): string[] {
  const data = createRequire(import.meta.url)('@mdn/browser-compat-data') as { api: Record<string, unknown> };
  const out: string[] = [];
  const walk = (node: Record<string, unknown>, path: string) => {
    if ((node['__compat'] as { tags?: string[] } | undefined)?.tags?.includes('web-features:background-fetch')) out.push(path);
    for (const [k, v] of Object.entries(node))
      if (k !== '__compat' && v && typeof v === 'object') walk(v as Record<string, unknown>, `${path}.${k}`);
  };
  walk(data.api, 'api');
  return out;
}

describe('--browser names an engine', () => {
  it('firefox and webkit resolve to their installed binaries, chromium to discovery', () => {
    const [ff, wk, cr] = browserSpecs(['firefox', 'webkit', 'chromium'], ['', '--features=+BackgroundFetchAPI'], []);
    if (!missingPart('firefox'))
      expect(ff).toMatchObject({ label: 'firefox', kind: 'path', engine: 'firefox', target: findEngine('firefox') });
    expect(wk).toMatchObject({
      label: 'webkit --features=+BackgroundFetchAPI',
      engine: 'webkit',
      args: ['--features=+BackgroundFetchAPI'],
    });
    expect(cr).toMatchObject({ label: 'chromium', kind: 'default', target: null });
    expect(cr.engine).toBeUndefined();
  });

  it('an explicit path says its engine by its name', () => {
    expect(engineOfPath('/usr/bin/firefox-esr')).toBe('firefox');
    expect(engineOfPath('/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser')).toBe('webkit');
    expect(engineOfPath('/opt/google/chrome/chrome')).toBe('chromium');
    expect(browserSpecs(['/usr/bin/firefox-esr'], [], [])[0]).toMatchObject({ kind: 'path', engine: 'firefox', label: 'firefox-esr' });
  });

  it('an engine that is not installed is refused with the apt command (a UsageError: exit 2)', () => {
    process.env['PATH'] = '/nonexistent';
    const err = (() => {
      try {
        browserSpecs(['firefox'], [], []);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EngineNotInstalledError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('apt-get install -y firefox-esr');
    expect(() => browserSpecs(['webkit'], [], [])).toThrow(/apt-get install -y webkit2gtk-driver xvfb/);
  });

  it('all is every installed engine; what is missing is named with how to install it', () => {
    const { installed, missing } = installedEngines();
    expect(browserSpecs(['all'], [], []).map((s) => s.engine ?? 'chromium')).toEqual(installed);
    process.env['PATH'] = '/nonexistent';
    const none = installedEngines();
    expect(none.installed).toEqual([]);
    expect(none.missing.map((m) => m.apt)).toEqual([
      'apt-get install -y chromium',
      'apt-get install -y firefox-esr',
      'apt-get install -y webkit2gtk-driver xvfb',
    ]);
    expect(missing.length + installed.length).toBe(3);
    expect(() => browserSpecs(['all'], [], [])).toThrow(
      /no engine is installed\. Run as root: apt-get install -y chromium && apt-get install -y firefox-esr/,
    );
    expect(() => browserSpecs(['all'], ['--foo'], [])).toThrow(/--browser all takes no --browser-args/);
  });
});

describe('scenarios and evidence', () => {
  it('a lane without CDP gets the reason, naming what is missing and the engine', () => {
    expect(missingEvidence(['cdp', 'page'], ['page', 'server'], 'WebKitGTK')).toBe(
      'Needs the CDP BackgroundService domain; WebKitGTK has none.',
    );
    expect(missingEvidence(['page', 'server'], ['page', 'server'], 'Firefox ESR')).toBeNull();
  });

  it('the exposure and rejection scenarios need only the page and the server; the rest declare CDP', () => {
    const byId = new Map(SCENARIOS.map((s) => [s.id, s]));
    for (const id of [
      'api.exposure.window',
      'api.exposure.worker',
      'api.exposure.bcd',
      'fetch.start.resolves',
      'fetch.reject.empty-requests',
      'fetch.reject.blocked-port',
      'fetch.reject.duplicate-id',
    ]) {
      expect(byId.get(id)!.needs, id).not.toContain('cdp');
    }
    expect(byId.get('fetch.success.one')!.needs).toContain('cdp');
    expect(byId.get('api.exposure.bcd')!.needsBackgroundFetch).toBe(false);
    expect(byId.get('services.sync.dispatch')!.needsBackgroundFetch).toBe(false);
  });

  it('api.exposure.bcd judges from the probes: none exposed is unsupported, some is deviates, all conforms', () => {
    const bcd = SCENARIOS.find((s) => s.id === 'api.exposure.bcd')!;
    const keys = ['api.BackgroundFetchManager', 'api.BackgroundFetchEvent'];
    const obs = (win: boolean | null, sw: boolean) => ({
      bcdVersion: '8',
      userAgent: 'x',
      exposures: ['Window', 'ServiceWorker'],
      keys,
      window: { [keys[0]]: win, [keys[1]]: null },
      serviceWorker: { [keys[0]]: sw, [keys[1]]: sw },
      messages: {},
    });
    expect(bcd.judge(obs(false, false)).verdict).toBe('unsupported');
    expect(bcd.judge(obs(true, true)).verdict).toBe('conforms');
    expect(bcd.judge(obs(true, false))).toMatchObject({ verdict: 'deviates' });
  });
});

describe('BCD, as installed', () => {
  it('the Background Fetch keys are the ones MDN tags as the feature', () => {
    expect(backgroundFetchKeys().sort()).toEqual(taggedKeys().sort());
    expect(backgroundFetchKeys()).toContain('api.ServiceWorkerRegistration.backgroundFetch');
  });

  it("BCD's statement for the engine's browser and version; WebKitGTK is held against Safari as its engine", () => {
    expect(statementFor('api.BackgroundFetchManager', 'chromium', '156.0.7000.1')).toMatchObject({
      browser: 'chrome',
      support: 'yes',
      engineOf: false,
    });
    expect(statementFor('api.BackgroundFetchManager', 'chromium', '73.0.1')).toMatchObject({ support: 'no' });
    expect(statementFor('api.BackgroundFetchManager', 'firefox', '153.8.0')).toMatchObject({
      browser: 'firefox',
      support: 'no',
      text: 'false',
    });
    expect(statementFor('api.BackgroundFetchManager', 'webkit', '2.50.6')).toMatchObject({
      browser: 'safari',
      support: 'no',
      engineOf: true,
    });
  });

  it('rows are labelled as MDN shows them', () => {
    expect(rowLabel('api.BackgroundFetchManager')).toBe('BackgroundFetchManager');
    expect(rowLabel('api.BackgroundFetchManager.fetch')).toBe('fetch');
    expect(rowLabel('api.BackgroundFetchRegistration.progress_event')).toBe('progress event');
    expect(rowLabel('api.BackgroundFetchEvent.BackgroundFetchEvent')).toBe('BackgroundFetchEvent() constructor');
    expect(rowLabel('api.ServiceWorkerGlobalScope.backgroundfetchclick_event')).toBe('ServiceWorkerGlobalScope.backgroundfetchclick event');
    expect(specExposures('api.BackgroundFetchEvent.registration')).toEqual(['ServiceWorker']);
  });
});

describe('the BCD table and collector files from a report', () => {
  const keys = backgroundFetchKeys();
  const probe = (browser: string, value: boolean) =>
    result('api.exposure.bcd', browser, value ? 'conforms' : 'unsupported', {
      observation: {
        bcdVersion: '8.1.9',
        userAgent: `UA of ${browser}`,
        exposures: ['Window', 'ServiceWorker'],
        keys,
        window: Object.fromEntries(keys.map((k) => [k, specExposures(k).includes('Window') ? value : null])),
        serviceWorker: Object.fromEntries(keys.map((k) => [k, value])),
        messages: { Window: {}, ServiceWorker: {} },
      },
    });
  const m = model(
    [probe('chromium', true), probe('firefox', false), result('failure.dropped-mid-body', 'chromium', 'deviates')],
    ['chromium', 'firefox'],
  );
  m.browsers[0].version = '156.0.1';
  m.browsers[1] = { ...m.browsers[1], engine: 'firefox', version: '153.8.0' };

  it('one row per key, a cell per browser: measured, BCD, and disagreements with the deviating scenarios', () => {
    const t = bcdTable(m);
    expect(t.rows.map((r) => r.key)).toEqual(keys);
    const fetch = t.rows.find((r) => r.key === 'api.BackgroundFetchManager.fetch')!;
    expect(fetch.cells[0]).toMatchObject({
      browser: 'chromium',
      measured: 'partial',
      deviating: ['failure.dropped-mid-body'],
      disagrees: true,
    });
    expect(fetch.cells[1]).toMatchObject({
      browser: 'firefox',
      measured: 'no',
      disagrees: false,
      bcd: { browser: 'firefox', support: 'no' },
    });
    const get = t.rows.find((r) => r.key === 'api.BackgroundFetchManager.get')!;
    expect(get.cells[0]).toMatchObject({ measured: 'yes', disagrees: false });
  });

  it("--format bcd: mdn-bcd-collector's shape, one entry per key and exposure", () => {
    const files = collectorReports(m);
    expect(files.map((f) => f.file)).toEqual(['bcd-chromium.json', 'bcd-firefox.json']);
    const [url, entries] = Object.entries(files[1].report.results)[0];
    expect(url).toMatch(/\/harness\/$/);
    expect(files[1].report.userAgent).toBe('UA of firefox');
    expect(entries).toHaveLength(keys.length * 2);
    expect(entries.find((e) => e.name === 'api.BackgroundFetchEvent' && e.exposure === 'Window')!.result).toBeNull();
    expect(entries.find((e) => e.name === 'api.BackgroundFetchManager' && e.exposure === 'ServiceWorker')!.result).toBe(false);
  });
});
