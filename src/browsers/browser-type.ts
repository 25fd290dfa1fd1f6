/** The engines layer's entry: launch a Firefox or WebKitGTK lane; Chromium lanes wrap a Playwright Browser. */
import { EngineError } from '../errors.js';
import { FirefoxDriver } from './firefox.js';
import type { EngineDriver, EngineName, LaunchEngineOptions } from './types.js';
import { WebKitDriver } from './webkit.js';

export { ChromiumDriver } from './chromium.js';
export { inWorker, probeExposure } from '../scenarios/harness.js';
export * from './types.js';

export async function launchEngine(engine: EngineName, options: LaunchEngineOptions): Promise<EngineDriver> {
  switch (engine) {
    case 'firefox':
      return FirefoxDriver.launch(options);
    case 'webkit':
      return WebKitDriver.launch(options);
    case 'chromium':
      throw new EngineError('Chromium lanes are launched through browsers/launch (Playwright); wrap the Browser in a ChromiumDriver.');
  }
}
