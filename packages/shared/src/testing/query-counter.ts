import pg from 'pg';

/**
 * A pg pool that counts the SQL statements sent through it, for tests that prove a query plan
 * costs a constant number of round trips (no N+1). Hand it to a subgraph's `createDb`.
 */
export function createCountingPool(connectionString: string) {
  let statements = 0;
  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A test database is dropped WITH (FORCE) right after its pool ends, which can reach a
      // connection still closing; that is the end of the test, not an error in it.
      this.on('error', () => undefined);
    }

    override query(...args: unknown[]): never {
      const [first] = args;
      // Transaction control is bookkeeping, not a query the resolvers asked for.
      const text =
        typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      if (text && !/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(text)) statements++;
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  const pool = new pg.Pool({ connectionString, Client: CountingClient });
  return {
    pool,
    /** Statements sent since the last reset. */
    count: () => statements,
    reset: () => {
      statements = 0;
    },
  };
}
