/**
 * Wait for every promise to settle, then throw the first failure (in the order given): side by
 * side work where nothing may still be running when the caller cleans up after an error.
 */
export async function settleAll(work: ReadonlyArray<Promise<unknown>>): Promise<void> {
  for (const s of await Promise.allSettled(work)) if (s.status === 'rejected') throw s.reason;
}
