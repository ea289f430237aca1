/**
 * `map[key]` for a key the map holds itself. A client-chosen name such as `constructor` or `__proto__` must not
 * find what every object inherits from Object.prototype.
 */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * `map[key] = value` for a key that may come from a client. Assigning `__proto__` would replace the object's
 * prototype (hiding the value and lending inherited members); it becomes an ordinary own entry instead.
 */
export function putOwn<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
