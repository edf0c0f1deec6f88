import { prismaClientOptions } from '@cartograph/shared';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

/**
 * A Prisma client over its own pg pool, calling `onStatement` for each statement it sends (the
 * service's `cartograph_db_queries_total`); tests pass an instrumented pool to count queries.
 */
export function createDb(pool: string | pg.Pool, poolSize?: number, onStatement?: () => void): Db {
  return new PrismaClient(prismaClientOptions(pool, poolSize, onStatement));
}
