import type { PersistedQueryOptions } from '@apollo/server';
import type { createRedis, Logger } from '@cartograph/shared';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RegistrationLimits } from './persisted-queries.js';
import { redisLimiter } from './rate-limits.js';

export interface ApqOptions {
  redis: ReturnType<typeof createRedis>;
  /** The deployment's REDIS_PREFIX; Apollo adds `apq:` after it. */
  prefix: string;
  ttlSeconds: number;
  /** The largest query stored (APQ_MAX_BYTES). */
  maxBytes: number;
  /** Registrations one client address may make per window; 0 is no limit. */
  registrationsPerAddress: number;
  windowSeconds: number;
}

/**
 * Apollo's automatic persisted queries, kept in Redis so every router replica knows a hash once
 * one of them has seen its query. The cache is an optimisation, so Redis being away never fails
 * a request: a read is a miss (the client sends the full query again), a write is dropped.
 */
export function persistedQueriesInRedis(
  { redis, prefix, ttlSeconds }: Pick<ApqOptions, 'redis' | 'prefix' | 'ttlSeconds'>,
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

/**
 * What bounds the APQ store, which shares Redis with the event streams: a query over `maxBytes`
 * is not stored, and neither is one past an address's registrations for the window (counted in
 * Redis across replicas, in memory while Redis is away). Either way the query still runs.
 */
export function apqRegistrationLimits(
  { redis, prefix, maxBytes, registrationsPerAddress, windowSeconds }: ApqOptions,
  logger: Logger,
): RegistrationLimits {
  const limiter =
    registrationsPerAddress > 0
      ? redisLimiter(redis, `${prefix}rate:apq`, registrationsPerAddress, windowSeconds)
      : undefined;
  return {
    maxBytes,
    async admit(address) {
      try {
        await limiter?.consume(address);
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        logger.warn({ err: error }, 'persisted query registrations uncounted');
        return true;
      }
    },
  };
}
