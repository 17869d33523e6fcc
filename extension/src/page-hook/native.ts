/**
 * Making a wrapper indistinguishable from the function it replaces: same `name`, `length`,
 * no `prototype` (wrappers are method shorthands), and `toString` answering the original's
 * source text (`function fetch() { [native code] }`), also through
 * `Function.prototype.toString.call(wrapper)`.
 */

const originals = new WeakMap<object, object>();
let toStringPatched = false;

function patchToString(): void {
  if (toStringPatched) return;
  toStringPatched = true;
  const proto = Function.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, "toString");
  const nativeToString = proto.toString;
  const replacement = {
    toString(this: unknown): string {
      const target = typeof this === "function" ? (originals.get(this) ?? this) : this;
      return Reflect.apply(nativeToString, target, []) as string;
    },
  }.toString;
  originals.set(replacement, nativeToString);
  Object.defineProperty(proto, "toString", { ...descriptor, value: replacement });
}

/** Make `wrapper` report `original`'s name, length and source text. */
export function disguise<T extends object>(wrapper: T, original: object): T {
  patchToString();
  if (typeof wrapper === "function" && typeof original === "function") {
    for (const key of ["name", "length"] as const) {
      const descriptor = Object.getOwnPropertyDescriptor(original, key);
      const current = Object.getOwnPropertyDescriptor(wrapper, key);
      if (descriptor && current?.value !== descriptor.value) {
        Object.defineProperty(wrapper, key, descriptor);
      }
    }
  }
  originals.set(wrapper, original);
  return wrapper;
}

/** Replace `owner[key]` keeping the property's attributes (writable, enumerable, …). */
export function replaceProperty(owner: object, key: PropertyKey, value: unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(owner, key);
  Object.defineProperty(owner, key, {
    value,
    writable: descriptor?.writable ?? true,
    enumerable: descriptor?.enumerable ?? false,
    configurable: descriptor?.configurable ?? true,
  });
}
