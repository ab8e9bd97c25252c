// Waiting for the user to stop typing, and keeping only the newest answer of a slow command.

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Forgets a pending call (when the form closes). */
  cancel(): void;
}

/** Calls `f` once, `ms` after the last of a burst of calls, with the last call's arguments. */
export function debounce<A extends unknown[]>(f: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const d = (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      f(...args);
    }, ms);
  };
  d.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return d;
}

/**
 * Wraps an async command so that only the newest call's answer is delivered: an answer to an
 * older call that arrives late (the user typed on) is dropped instead of overwriting a newer one.
 */
export function latestOnly<A extends unknown[], R>(
  f: (...args: A) => Promise<R>,
): (...args: A) => Promise<{ stale: true } | { stale: false; value: R }> {
  let newest = 0;
  return async (...args: A) => {
    const mine = ++newest;
    const value = await f(...args);
    return mine === newest ? { stale: false, value } : { stale: true };
  };
}
