import type { Redis } from 'ioredis';
import { createRedisCounter, RateLimiterRes, refusal } from './redis-limiter.js';

/**
 * Registrations per client address and window, counted before the password is hashed, so
 * signing up in a loop cannot be used to keep bcrypt busy.
 */
export function createRegistrationLimit(options: {
  redis: Redis;
  prefix: string;
  maxPerAddress: number;
  windowSeconds: number;
}) {
  const counter = createRedisCounter(options.redis, `${options.prefix}registrations`, {
    points: options.maxPerAddress,
    duration: options.windowSeconds,
  });
  return {
    /** Counts one registration, or throws RATE_LIMITED when the address has used its share. */
    async attempt(address: string): Promise<void> {
      await counter.consume(address).catch((error: unknown) => {
        throw error instanceof RateLimiterRes ? refusal(error) : error;
      });
    },
  };
}

export type RegistrationLimit = ReturnType<typeof createRegistrationLimit>;
