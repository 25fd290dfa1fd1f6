/**
 * "Eventually" for the matchers: evaluate, then again at 100, 250, 500, 1000, 1000... ms until
 * the caller says the answer is final or the deadline passes. One loop for every matcher, so no
 * matcher grows its own ad-hoc setTimeout retry; it is the project's one deadline helper
 * (src/util/deadline.ts), which the recorder's waits and the scenarios share.
 */
export { poll, POLL_INTERVALS, type PollOptions, type PollResult } from '../util/deadline.js';
