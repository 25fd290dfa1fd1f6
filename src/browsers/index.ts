export { launch, launchedProcess, type LaunchOptions, type LaunchedProcess } from './launch.js';
export { connect, ConnectedBrowser, type ConnectOptions, type BrowserVersion, type TargetSummary } from './connect.js';
export { discoverBrowser, isHeadlessShell, type DiscoveredBrowser } from './discover.js';
export { defaultArgs, QUIET_NETWORK_FLAGS } from './flags.js';
