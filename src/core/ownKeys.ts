/**
 * Keys that come from input (YAML, the API server) are data. A `__proto__` key is the one plain property access
 * gets wrong: assigning it sets the object's prototype (the key is lost) and reading a missing one gives
 * Object.prototype. kustomize keeps such keys, so we do, as own properties (what JSON.parse makes).
 */

/** Sets `obj[key]` as an own, enumerable property, `__proto__` included. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` when it is an own property, else undefined (never an inherited `__proto__`). */
export function getOwn(obj: Record<string, unknown>, key: string): unknown {
  return key === '__proto__' ? (Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined) : obj[key];
}
