import type { PersistedQueryOptions } from '@apollo/server';
import type { createRedis, Logger } from '@cartograph/shared';

export interface ApqOptions {
  redis: ReturnType<typeof createRedis>;
  /** The deployment's REDIS_PREFIX; Apollo adds `apq:` after it. */
  prefix: string;
  ttlSeconds: number;
}

/**
 * Apollo's automatic persisted queries, kept in Redis so every router replica knows a hash once
 * one of them has seen its query. The cache is an optimisation, so Redis being away never fails
 * a request: a read is a miss (the client sends the full query again), a write is dropped.
 */
export function persistedQueriesInRedis(
  { redis, prefix, ttlSeconds }: ApqOptions,
  logger: Logger,
): PersistedQueryOptions {
  // While Redis is away, commands would queue behind reconnection; answering at once is better.
  const up = () => redis.status === 'ready';
  return {
    ttl: ttlSeconds,
    cache: {
      async get(key) {
        if (!up()) return undefined;
        try {
          return (await redis.get(prefix + key)) ?? undefined;
        } catch (error) {
          logger.warn({ err: error }, 'persisted query lookup failed');
          return undefined;
        }
      },
      async set(key, value, options) {
        if (!up()) return;
        try {
          await redis.set(prefix + key, value, 'EX', options?.ttl ?? ttlSeconds);
        } catch (error) {
          logger.warn({ err: error }, 'persisted query not stored');
        }
      },
      async delete(key) {
        return up() && (await redis.del(prefix + key).catch(() => 0)) > 0;
      },
    },
  };
}
