/** Keep every listener handle and drop them all in one call (playwright's eventsHelper). */
export type Disposer = () => void;

export class ListenerBag {
  private disposers: Disposer[] = [];
  add(disposer: Disposer): void {
    this.disposers.push(disposer);
  }
  on<T extends (...args: never[]) => void>(
    emitter: { on(event: string, fn: T): unknown; off(event: string, fn: T): unknown },
    event: string,
    fn: T,
  ): void {
    emitter.on(event, fn);
    this.disposers.push(() => emitter.off(event, fn));
  }
  disposeAll(): void {
    const ds = this.disposers;
    this.disposers = [];
    for (const d of ds) d();
  }
}
