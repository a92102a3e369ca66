/** Typed option objects: shared handling of what callers pass. */

/** A copy of `options` without its undefined entries: an option given as `undefined` keeps its default. */
export function definedOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined || options === null) return {};
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
