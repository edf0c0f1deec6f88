import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection that reconnects forever with a capped backoff and logs its outages once
 * each, instead of crashing the process on an unhandled 'error' event.
 */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    // Commands fail fast while Redis is away; callers retry, and the outbox keeps what is unsent.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) logger.warn({ err: error, connection: name }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis available again');
    down = false;
  });
  return redis;
}

/**
 * Refuses a Redis that may evict any key. The event streams, their consumer groups and the
 * relays' state carry no TTL, while every cache and counter key does: under `noeviction` or a
 * `volatile-*` policy a full Redis refuses writes or drops those keys, but an `allkeys-*`
 * policy would drop stream entries, and events with them. Managed Redis may not answer
 * CONFIG, and a Redis that is down cannot: both are a warning, not a refusal.
 * @throws when the policy is `allkeys-*`.
 */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<void> {
  let policy: unknown;
  try {
    policy = ((await redis.config('GET', 'maxmemory-policy')) as unknown[])[1];
  } catch (error) {
    logger.warn({ err: error }, evictionPolicyUnknown);
    return;
  }
  if (typeof policy !== 'string') {
    logger.warn(evictionPolicyUnknown);
  } else if (policy.startsWith('allkeys-')) {
    throw new Error(
      `Redis maxmemory-policy is ${policy}, which can evict event streams and lose events: set it to noeviction (or a volatile-* policy, which evicts only keys with a TTL)`,
    );
  }
}

const evictionPolicyUnknown =
  'could not read Redis maxmemory-policy; it must be noeviction or volatile-*, never allkeys-*';
