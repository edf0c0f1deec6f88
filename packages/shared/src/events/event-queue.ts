/**
 * An async iterator fed by pushes, holding at most `limit` undelivered values. A consumer that
 * falls further behind fails with `overflow` instead of growing memory without bound.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting:
    { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  private failure: unknown;
  private done = false;

  constructor(
    private readonly limit: number,
    private readonly onClose: () => void = () => undefined,
    private readonly overflow: () => Error = () => new Error('Subscriber too slow: events dropped'),
  ) {}

  get size() {
    return this.buffer.length;
  }

  push(value: T) {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
    } else if (this.buffer.length >= this.limit) {
      this.fail(this.overflow());
    } else {
      this.buffer.push(value);
    }
  }

  /** Ends the iteration with `error` once what is buffered has been read. */
  fail(error: unknown) {
    if (this.done) return;
    this.failure = error;
    this.finish();
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = undefined;
      reject(error);
    }
  }

  /** Ends the iteration once what is buffered has been read. */
  end() {
    if (this.done) return;
    this.finish();
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return { value: this.buffer.shift()!, done: false };
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      throw error;
    }
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.failure = undefined;
    this.end();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private finish() {
    this.done = true;
    this.onClose();
  }
}

/**
 * In-process fan-out: listeners register under keys (an order id, a user id, a product id, or
 * `*`) and get a bounded queue of what is published under them. One Redis follower per process
 * feeds it, so Redis resources do not grow with subscribers.
 */
export class EventHub<T> {
  private readonly listeners = new Map<string, Set<EventQueue<T>>>();
  private count = 0;

  constructor(private readonly queueLimit = 100) {}

  /** Listeners currently registered (a subscriber registered under several keys counts once). */
  get size() {
    return this.count;
  }

  listen(keys: readonly string[]): EventQueue<T> {
    const queue: EventQueue<T> = new EventQueue<T>(this.queueLimit, () => {
      this.count--;
      for (const key of keys) {
        const set = this.listeners.get(key);
        set?.delete(queue);
        if (set?.size === 0) this.listeners.delete(key);
      }
    });
    this.count++;
    for (const key of keys) {
      let set = this.listeners.get(key);
      if (!set) this.listeners.set(key, (set = new Set()));
      set.add(queue);
    }
    return queue;
  }

  /** Whether anything published under `keys` would reach a listener: whether to prepare it. */
  listening(keys: readonly string[]) {
    return this.listeners.has('*') || keys.some((key) => this.listeners.has(key));
  }

  publish(keys: readonly string[], event: T) {
    const delivered = new Set<EventQueue<T>>();
    for (const key of [...keys, '*']) {
      for (const queue of this.listeners.get(key) ?? []) {
        if (delivered.has(queue)) continue;
        delivered.add(queue);
        queue.push(event);
      }
    }
  }
}
