/**
 * Browser side. Wrapping a platform method so that nothing the page can ask tells the wrapper
 * from the native: the same property descriptor flags, `length` and `name`, no `prototype`, not
 * a constructor, and `Function.prototype.toString` answering `function fetch() { [native code] }`.
 * For that last one `Function.prototype.toString` is itself wrapped (the technique stealth
 * plugins use), and answers for itself natively too.
 */
import { bare, defineProperty, reflectApply, weakMapGet, weakMapSet } from './natives.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

const getOwn = Object.getOwnPropertyDescriptor;
/** Wrapper -> the native function whose `toString()` it answers with. */
const natives = new WeakMap<object, AnyFn>();
const nativeOf = (f: unknown): AnyFn | undefined => (typeof f === 'function' ? (weakMapGet(natives, f) as AnyFn | undefined) : undefined);

/** A function with the given name and no prototype (a method), whose body calls `body`. */
function method(name: string, body: (self: unknown, args: unknown[]) => unknown): AnyFn {
  const holder = {
    [name](this: unknown, ...args: unknown[]): unknown {
      return body(this, args);
    },
  };
  return holder[name];
}

/** Make `wrapper` look like `original`: same length, same name, same toString(). */
function disguise(wrapper: AnyFn, original: AnyFn): void {
  const length = getOwn(original, 'length');
  const name = getOwn(original, 'name');
  // Descriptors without a prototype (natives.bare), as everywhere the probe defines a property.
  if (length) defineProperty(wrapper, 'length', bare(length));
  if (name) defineProperty(wrapper, 'name', bare(name));
  weakMapSet(natives, wrapper, original);
}

let toStringPatched = false;

/**
 * The probe's own marker: `Function.prototype.toString.call(mark)` answers `answer` once this
 * probe installed itself in this global (natively it throws for a non-function). No property,
 * global or symbol the page can enumerate; `mark` is a registered symbol of a random key.
 */
export function installedBefore(mark: symbol, answer: string): boolean {
  try {
    return reflectApply(Function.prototype.toString, mark, []) === answer;
  } catch {
    return false;
  }
}

/** Wrap Function.prototype.toString once: wrapped members, and itself, print natively. */
export function patchToString(mark: symbol, answer: string): void {
  if (toStringPatched) return;
  toStringPatched = true;
  const FP = Function.prototype;
  const desc = getOwn(FP, 'toString');
  if (!desc || typeof desc.value !== 'function') return;
  const original = desc.value as AnyFn;
  const wrapper = method('toString', (self, args) => {
    if (self === mark) return answer;
    const native = nativeOf(self);
    return reflectApply(original, native ?? self, args);
  });
  disguise(wrapper, original);
  defineProperty(FP, 'toString', bare({ ...desc, value: wrapper }));
}

/**
 * Replace `proto[name]` (a method) by a wrapper that calls `fn(self, original, args)`. The
 * property keeps its flags; the wrapper looks native (see the file comment).
 */
export function wrap(proto: object | undefined, name: string, fn: (self: unknown, original: AnyFn, args: unknown[]) => unknown): void {
  if (!proto) return;
  const desc = getOwn(proto, name);
  if (!desc || typeof desc.value !== 'function') return;
  const original = desc.value as AnyFn;
  const wrapper = method(name, (self, args) => fn(self, original, args));
  disguise(wrapper, original);
  defineProperty(proto, name, bare({ ...desc, value: wrapper }));
}

/** Call `original` as the wrapped method would have been called. */
export function callOriginal(original: AnyFn, self: unknown, args: unknown[]): unknown {
  return reflectApply(original, self, args);
}
