import pg from 'pg';
import { countingClient } from '../data/database.js';

/**
 * A pg pool that counts the SQL statements sent through it, for tests that prove a query plan
 * costs a constant number of round trips (no N+1). Hand it to a subgraph's `createDb`.
 */
export function createCountingPool(connectionString: string) {
  let statements = 0;
  const Counting = countingClient(() => statements++);
  class QuietClient extends Counting {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A test database is dropped WITH (FORCE) right after its pool ends, which can reach a
      // connection still closing; that is the end of the test, not an error in it.
      this.on('error', () => undefined);
    }
  }
  const pool = new pg.Pool({ connectionString, Client: QuietClient });
  return {
    pool,
    /** Statements sent since the last reset. */
    count: () => statements,
    reset: () => {
      statements = 0;
    },
  };
}
