/**
 * Async iterators whose `return()` takes effect at once. An async generator suspended on an
 * `await` (waiting for the next event) cannot run `return()` until that await settles, so a
 * subscription on a quiet stream would never release its listener when its client leaves.
 */

/** `source` with each value mapped (skipping `undefined`), optionally led by `first`. */
export function mapStream<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => Promise<U | undefined> | U | undefined,
  first?: U,
): AsyncIterableIterator<U> {
  let lead = first !== undefined ? [first] : [];
  const iterator: AsyncIterableIterator<U> = {
    async next() {
      if (lead.length > 0) return { value: lead.shift()!, done: false };
      for (;;) {
        const result = await source.next();
        if (result.done) return { value: undefined, done: true };
        const mapped = await map(result.value);
        if (mapped !== undefined) return { value: mapped, done: false };
      }
    },
    async return() {
      lead = [];
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * `source`, ended early: with `error()` thrown when `at` (ms since the epoch) comes, and with
 * `onEnd` run once however it ends.
 */
export function guardStream<T>(
  source: AsyncIterator<T>,
  options: { endAt?: number; error?: () => unknown; onEnd?: () => void },
): AsyncIterableIterator<T> {
  let finished = false;
  let expire: (() => void) | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    expire = () => resolve('expired');
  });
  const timer =
    options.endAt === undefined
      ? undefined
      : setTimeout(() => expire!(), Math.max(0, options.endAt - Date.now()));
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    options.onEnd?.();
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (finished) return { value: undefined, done: true };
      const result = await Promise.race([source.next(), expired]);
      if (result === 'expired') {
        finish();
        void source.return?.();
        throw options.error?.() ?? new Error('stream expired');
      }
      if (result.done) finish();
      return result;
    },
    async return() {
      finish();
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      finish();
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
