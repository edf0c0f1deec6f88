import type { IncomingMessage } from 'node:http';
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

/**
 * The address a request came from. `trustedProxies` is how many proxies in front of the router
 * append to `X-Forwarded-For`: 0 uses the socket's address, 1 the address the nearest proxy saw.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return socketAddress;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustedProxies] ?? forwarded[0] ?? socketAddress;
}

const limitedError = (retryAfter: number) =>
  rateLimited(retryAfter, {
    status: 429,
    headers: new HeaderMap([['retry-after', String(retryAfter)]]),
  });

/**
 * Request-count limits shared by every router replica through Redis (rate-limiter-flexible's
 * atomic counters). While Redis is away each replica falls back to counting in memory, so the
 * limits loosen by the number of replicas but requests keep flowing.
 */
export function createRateLimits(
  redis: Redis,
  prefix: string,
  settings: RateLimitSettings & { trustedProxies: number },
  logger: Logger,
) {
  const { trustedProxies } = settings;
  const limiter = (name: string, points: number) => {
    if (points === 0) return undefined;
    const options = { points, duration: settings.windowSeconds };
    return new RateLimiterRedis({
      ...options,
      storeClient: redis,
      keyPrefix: `${prefix}rate:${name}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
      // Past the limit, a key is refused in memory until its window ends: a flood costs no Redis.
      inMemoryBlockOnConsumed: points,
    });
  };
  const byAddress = limiter('address', settings.perAddress);
  const byUser = limiter('user', settings.perUser);

  /** Counts one operation; a GraphQL error (RATE_LIMITED, HTTP 429) when it is one too many. */
  return async function admit(
    req: IncomingMessage,
    viewer: Viewer | null,
  ): Promise<GraphQLError | undefined> {
    try {
      await Promise.all([
        byAddress?.consume(clientAddress(req, trustedProxies)),
        viewer && byUser?.consume(viewer.id),
      ]);
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        return limitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      logger.warn({ err: error }, 'rate limits unavailable; request let through');
      return undefined;
    }
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
