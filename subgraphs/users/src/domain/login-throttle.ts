import { createHash } from 'node:crypto';
import { rateLimited, type Logger } from '@cartograph/shared';
import type { Redis } from 'ioredis';

export interface LoginThrottleOptions {
  redis: Redis;
  /** `REDIS_PREFIX`: deployments and test runs share a Redis. */
  prefix: string;
  logger: Logger;
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

/**
 * One counter per email+address. Every attempt counts before its password is checked, so
 * aliased or concurrent attempts cannot outrun the limit: attempt `max + 1` starts the lockout
 * by giving the counter the lockout's TTL, and every attempt past `max` is refused until it
 * expires. A success deletes the counter. Refused attempts leave the TTL alone, so hammering
 * never extends the lockout.
 */
const countAttempt = `
local count = redis.call('INCR', KEYS[1])
if count == tonumber(ARGV[1]) + 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
elseif count == 1 or redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return {count, redis.call('PTTL', KEYS[1])}
`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Login throttling per email and client address, in Redis so it holds across replicas and
 * expires by itself. Emails appear in keys and logs only as SHA-256 hashes.
 */
export function createLoginThrottle(options: LoginThrottleOptions) {
  const { redis, prefix, logger, maxFailures, windowSeconds, lockoutSeconds } = options;
  const subject = (email: string, address: string) => {
    const emailHash = sha256(email);
    return { emailHash, key: `${prefix}login-failures:${emailHash}:${address}` };
  };

  return {
    redis,

    /**
     * Counts an attempt as a failure until `succeeded` says otherwise, or throws RATE_LIMITED
     * when the email+address is locked out. Call it before looking anything up, so a refusal
     * says nothing about the account or the password.
     */
    async attempt(email: string, address: string): Promise<void> {
      const { emailHash, key } = subject(email, address);
      const [count, ttlMs] = (await redis.eval(
        countAttempt,
        1,
        key,
        maxFailures,
        windowSeconds,
        lockoutSeconds,
      )) as [number, number];
      if (count <= maxFailures) return;
      if (count === maxFailures + 1) {
        logger.warn({ emailHash, address, lockoutSeconds }, 'login locked out');
      }
      throw rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)));
    },

    /** A correct password ends the run of failures. */
    async succeeded(email: string, address: string): Promise<void> {
      await redis.del(subject(email, address).key);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
