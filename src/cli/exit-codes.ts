/** The CLI's exit codes: the contract CI pipelines rely on. */
export const EXIT = {
  ok: 0,
  /** A check or scenario failed, a comparison regressed, or a recording ended abnormally. */
  failed: 1,
  /** Bad usage or input: a flag, a file, an unreachable endpoint, no browser. */
  usage: 2,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
