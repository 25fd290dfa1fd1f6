/**
 * The BrowserType of an engine bgprobe drives without Playwright (Firefox over BiDi, WebKitGTK
 * through WebKitWebDriver): the spec's binary and flags, and the run's headless, proxy and
 * certificate options, handed to the engine's own driver. Neither logs to a file of bgprobe's.
 */
import type { EngineName } from '../util/engines.js';
import type { BrowserType, EngineDriver, LaunchEngineOptions } from './types.js';

export function driverType(engine: EngineName, launch: (options: LaunchEngineOptions) => Promise<EngineDriver>): BrowserType {
  return {
    name: engine,
    handles: (spec) => spec.engine === engine,
    async launch(spec, options) {
      const driver = await launch({
        executablePath: spec.target!,
        args: spec.args,
        headless: options.headless,
        proxy: options.proxy,
        acceptInsecureCerts: options.acceptInsecureCerts,
      });
      return { driver, executablePath: spec.target, logFile: null };
    },
  };
}
