/**
 * Keys that come from input (YAML, the API server) are data. Plain property access gets Object.prototype's names
 * wrong: assigning `__proto__` sets the object's prototype (the key is lost), and reading a missing `__proto__`,
 * `constructor` or `toString` gives Object.prototype's. kustomize keeps such keys, so we do, as own properties (what JSON.parse makes).
 */

/** Sets `obj[key]` as an own, enumerable property, `__proto__` included. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * `obj[key]` when it is an own property, else undefined: never an inherited `__proto__`, `constructor` or
 * `toString` (the own-property check runs only for names Object.prototype has, so most keys cost one lookup).
 */
export function getOwn(obj: Record<string, unknown>, key: string): unknown {
  const value = obj[key];
  return value !== undefined && key in Object.prototype && !Object.prototype.hasOwnProperty.call(obj, key)
    ? undefined
    : value;
}
