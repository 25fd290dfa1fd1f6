import type { EventEmitter } from 'node:events';

/**
 * Subscribe, and get back the function that unsubscribes (Playwright's eventsHelper): an owner
 * keeps every handle and drops them all when it is disposed. Name the event map
 * (`listen<Events, 'name'>(...)`): TypeScript does not infer it through a subclass.
 */
export function listen<Events extends Record<keyof Events, unknown[]>, K extends keyof Events & string>(
  emitter: EventEmitter<Events>,
  event: K,
  listener: (...args: Events[K]) => void,
): () => void {
  const untyped = emitter as unknown as EventEmitter;
  const fn = listener as unknown as (...args: unknown[]) => void;
  untyped.on(event, fn);
  return () => void untyped.off(event, fn);
}
