/** Typed option objects: shared handling of what callers pass. */

/** A copy of `options` without its undefined entries: an option given as `undefined` keeps its default. */
export function definedOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined || options === null) return {};
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A decimal number (10, -0.5, .5, 5., 1e-3; spaces around it ignored), else NaN. `Number()` alone
 * also reads '0x10' (16), '0b1', '0o7', and '' or '  ' (0): a value in those forms is a typo more
 * often than a choice, so the CLI's option parsers and `parseSchedule` refuse it.
 */
export function decimalNumber(text: string): number {
  const t = text.trim();
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}
