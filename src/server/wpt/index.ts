/** The wptserve subset `bgprobe wpt` runs upstream tests on (see server.ts). */
export { WptServer, type WptServerOptions } from './server.js';
export { generateCertificate, type WptCertificate } from './certificate.js';
export { hostResolverRules, wptHosts, WPT_ALT_HOST, WPT_HOST, WPT_SUBDOMAINS, type WptHosts } from './hosts.js';
export { parseMeta, parseGlobals, GLOBALS, type GlobalKind, type MetaEntry } from './meta.js';
export { applyPipes, parsePipes, parseTrickle, trickleChunks, type PipeStep, type TrickleStep } from './pipes.js';
export { substitute, type SubstitutionContext } from './substitute.js';
export { renderWrapper, testUrlsFor, wrapperRoute, type WrapperRoute } from './wrappers.js';
export { NATIVE_HANDLERS, unimplementedHandlerText } from './python.js';
export { DRIVER_BINDING, QUEUE_GLOBAL, REPLY_GLOBAL, RESULT_BINDING } from './scripts.js';
export { WptHostProxy } from './host-proxy.js';
