// Moved to src/recorder/served.ts (the recorder joins the server log itself: no recorder<->evidence cycle).
export * from '../recorder/served.js';
