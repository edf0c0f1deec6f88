import { createHash } from 'node:crypto';
import type { Logger } from '@cartograph/shared';
import type { Redis } from 'ioredis';
import { createRedisCounter, RateLimiterRes, refusal } from './redis-limiter.js';

export interface LoginThrottleOptions {
  redis: Redis;
  /** `REDIS_PREFIX`: deployments and test runs share a Redis. */
  prefix: string;
  logger: Logger;
  /** Failures for one email from one address before that pair is locked out. */
  maxFailures: number;
  /** Failures from one address, whatever the emails, before that address is locked out. */
  maxFailuresPerAddress: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Login throttling, in Redis so it holds across replicas and expires by itself (in memory while
 * Redis is away). Emails appear in keys and logs only as SHA-256 hashes.
 *
 * Per email and address, every attempt counts before its password is checked, so aliased or
 * concurrent attempts cannot outrun the limit, and a success deletes the count. Per address,
 * only failures count, so a user's own logins never lock their neighbours behind one NAT out,
 * and a success gives nothing back: a valid account cannot buy guesses at others. The address
 * is checked before and charged after a password check; the hashing gate's per-address share
 * bounds how far concurrent attempts can overshoot. In both, the attempt that goes one over
 * starts a lockout of `lockoutSeconds` and refused attempts never extend it.
 */
export function createLoginThrottle(options: LoginThrottleOptions) {
  const { redis, prefix, logger, maxFailures, maxFailuresPerAddress } = options;
  const block = { duration: options.windowSeconds, blockDuration: options.lockoutSeconds };
  const byEmail = createRedisCounter(redis, `${prefix}login-failures`, {
    ...block,
    points: maxFailures,
  });
  // Charged after the check, so the failure that uses the budget up starts the lockout.
  const byAddress = createRedisCounter(redis, `${prefix}login-failures-by-address`, {
    ...block,
    points: maxFailuresPerAddress - 1,
  });
  const subject = (email: string, address: string) => {
    const emailHash = sha256(email);
    return { emailHash, key: `${emailHash}:${address}` };
  };

  return {
    redis,

    /**
     * Counts an attempt as a failure until `succeeded` says otherwise, or throws RATE_LIMITED
     * when the email+address or the address is locked out. Call it before looking anything up,
     * so a refusal says nothing about the account or the password.
     */
    async attempt(email: string, address: string): Promise<void> {
      const failures = await byAddress.get(address);
      if (failures && failures.consumedPoints >= maxFailuresPerAddress) throw refusal(failures);
      const { emailHash, key } = subject(email, address);
      try {
        await byEmail.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        if (error.consumedPoints === maxFailures + 1) {
          logger.warn({ emailHash, address }, 'login locked out');
        }
        throw refusal(error);
      }
    },

    /** A wrong password (or unknown email) counts against its address. */
    async failed(address: string): Promise<void> {
      try {
        await byAddress.consume(address);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        if (error.consumedPoints === maxFailuresPerAddress) {
          logger.warn({ address }, 'login locked out for the whole address');
        }
      }
    },

    /** A correct password ends the run of failures for its email and address. */
    async succeeded(email: string, address: string): Promise<void> {
      await byEmail.delete(subject(email, address).key);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
