/**
 * Ctrl-C handling for long-running commands: the first SIGINT/SIGTERM asks the command to stop
 * cleanly (write what it has); a second one exits at once with 130.
 */
export interface Interrupt {
  readonly requested: boolean;
  /** Resolves when an interrupt is requested. */
  readonly promise: Promise<void>;
  dispose(): void;
}

export function onInterrupt(onSecond: () => void): Interrupt {
  let requested = false;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const handler = () => {
    if (requested) {
      onSecond();
      return;
    }
    requested = true;
    resolve();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get requested() {
      return requested;
    },
    promise,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
