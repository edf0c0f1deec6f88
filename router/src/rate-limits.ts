import { HeaderMap } from '@apollo/server';
import { rateLimited, type Logger, type Viewer } from '@cartograph/shared';
import type { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitSettings {
  /** Operations one client address may send per window; 0 turns the limit off. */
  perAddress: number;
  /** Operations one signed-in user may send per window, from any address; 0 turns it off. */
  perUser: number;
  windowSeconds: number;
}

const limitedError = (retryAfter: number) =>
  rateLimited(retryAfter, {
    status: 429,
    headers: new HeaderMap([['retry-after', String(retryAfter)]]),
  });

/**
 * A counter of `points` per window in Redis (rate-limiter-flexible's atomic counters), shared by
 * every router replica. While Redis is away each replica counts in its own memory instead, so a
 * limit loosens by the number of replicas, and nothing is refused because Redis is down.
 */
export function redisLimiter(
  redis: Redis,
  keyPrefix: string,
  points: number,
  windowSeconds: number,
) {
  const options = { points, duration: windowSeconds };
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    keyPrefix,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
    // Past the limit, a key is refused in memory until its window ends: a flood costs no Redis.
    inMemoryBlockOnConsumed: points,
  });
}

/**
 * Request-count limits at the router's door, per client address and per signed-in user, in the
 * order the router's context builder counts them (see context.ts): the address before the token
 * is even looked at, so a flood of forged tokens is limited like any other and never buys an
 * ECDSA verification per request past the limit; the user once the token is verified.
 */
export function createRateLimits(
  redis: Redis,
  prefix: string,
  settings: RateLimitSettings,
  logger: Logger,
) {
  const limiter = (name: string, points: number) =>
    points === 0
      ? undefined
      : redisLimiter(redis, `${prefix}rate:${name}`, points, settings.windowSeconds);
  const byAddress = limiter('address', settings.perAddress);
  const byUser = limiter('user', settings.perUser);

  /** Counts one operation; a GraphQL error (RATE_LIMITED, HTTP 429) when it is one too many. */
  async function count(limit: Promise<unknown> | undefined): Promise<GraphQLError | undefined> {
    try {
      await limit;
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        return limitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      logger.warn({ err: error }, 'rate limits unavailable; request let through');
      return undefined;
    }
  }

  return {
    /** One operation from this client address (`clientAddressBehindProxies`). */
    address: (address: string) => count(byAddress?.consume(address)),
    /** One operation by this user. */
    user: (viewer: Viewer) => count(byUser?.consume(viewer.id)),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
