import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Counter, type Registry } from 'prom-client';

/**
 * A pg client class that calls `onStatement` for every SQL statement it sends, transaction
 * control (BEGIN, COMMIT, ROLLBACK) aside: what `cartograph_db_queries_total` and the tests'
 * query counts both count.
 */
export function countingClient(onStatement: () => void): typeof pg.Client {
  return class CountingClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [first] = args;
      const text =
        typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      if (text && !/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(text)) onStatement();
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  };
}

/** `cartograph_db_queries_total` in a service's registry; call the result once per statement. */
export function databaseQueryCounter(registry: Registry): () => void {
  const counter = new Counter({
    name: 'cartograph_db_queries_total',
    help: 'SQL statements this process sent to its database, transaction control aside',
    registers: [registry],
  });
  return () => counter.inc();
}

/**
 * Options for a service's Prisma client: the pg adapter over its own pool (or one a test
 * instruments), counting statements with `onStatement` when given, and transaction limits for a
 * busy service. Prisma's defaults give up on a transaction after waiting 2 s for a pooled
 * connection, which turns a burst of orders into internal errors; queueing a little longer is
 * the right answer to a burst.
 */
export function prismaClientOptions(
  pool: string | pg.Pool,
  poolSize = 10,
  onStatement?: () => void,
) {
  return {
    adapter: new PrismaPg(
      typeof pool === 'string'
        ? {
            connectionString: pool,
            max: poolSize,
            ...(onStatement && { Client: countingClient(onStatement) }),
          }
        : pool,
    ),
    transactionOptions: { maxWait: 15_000, timeout: 20_000 },
  };
}
