import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';

/**
 * Options for a service's Prisma client: the pg adapter over its own pool (or one a test
 * instruments), and transaction limits for a busy service. Prisma's defaults give up on a
 * transaction after waiting 2 s for a pooled connection, which turns a burst of orders into
 * internal errors; queueing a little longer is the right answer to a burst.
 */
export function prismaClientOptions(pool: string | pg.Pool, poolSize = 10) {
  return {
    adapter: new PrismaPg(
      typeof pool === 'string' ? { connectionString: pool, max: poolSize } : pool,
    ),
    transactionOptions: { maxWait: 15_000, timeout: 20_000 },
  };
}
