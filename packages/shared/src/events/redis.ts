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
