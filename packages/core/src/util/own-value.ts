/**
 * `map[key]` for a key the map holds itself. A client-chosen name such as `constructor` or `__proto__` must not
 * find what every object inherits from Object.prototype.
 */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
