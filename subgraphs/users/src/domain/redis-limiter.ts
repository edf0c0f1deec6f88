import { rateLimited } from '@cartograph/shared';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface CounterOptions {
  /** Attempts allowed per window; one more starts the block, if any. */
  points: number;
  duration: number;
  /** How long a key is refused once it goes over; 0 waits for the window to end. */
  blockDuration?: number;
}

/**
 * A counter in Redis (rate-limiter-flexible's atomic INCR with a TTL), shared by every replica.
 * While Redis is unreachable it counts in this process's memory instead: the project's rule
 * for every limit, so limits loosen by the number of replicas and nothing is refused because
 * Redis is down.
 */
export function createRedisCounter(redis: Redis, keyPrefix: string, options: CounterOptions) {
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    keyPrefix,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

/** The refusal a client sees, retrying after the key's block or window ends. */
export const refusal = (res: RateLimiterRes) =>
  rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));

export { RateLimiterRes };
