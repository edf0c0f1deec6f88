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
 * Request-count limits at the router's door, per client address and per signed-in user. The
 * address is counted before the token is even looked at, so a flood of forged tokens is limited
 * like any other and never buys an ECDSA verification per request past the limit.
 */
export function createRateLimits(
  redis: Redis,
  prefix: string,
  settings: RateLimitSettings & { trustedProxies: number },
  logger: Logger,
) {
  const { trustedProxies } = settings;
  const limiter = (name: string, points: number) =>
    points === 0
      ? undefined
      : redisLimiter(redis, `${prefix}rate:${name}`, points, settings.windowSeconds);
  const byAddress = limiter('address', settings.perAddress);
  const byUser = limiter('user', settings.perUser);

  /** Counts one operation; a GraphQL error (RATE_LIMITED, HTTP 429) when it is one too many. */
  async function count(
    limits: readonly (Promise<unknown> | undefined)[],
  ): Promise<GraphQLError | undefined> {
    try {
      await Promise.all(limits);
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
    /** One operation from this request's client address: the first thing the router does. */
    address: (req: IncomingMessage) =>
      count([byAddress?.consume(clientAddress(req, trustedProxies))]),
    /** One operation by this user, once the token is verified. */
    user: (viewer: Viewer) => count([byUser?.consume(viewer.id)]),
    /**
     * Both at once, for the WebSocket path, which verifies the operation's token first (and
     * counts an operation whose token fails against its address alone).
     */
    operation: (req: IncomingMessage, viewer: Viewer | null) =>
      count([
        byAddress?.consume(clientAddress(req, trustedProxies)),
        viewer ? byUser?.consume(viewer.id) : undefined,
      ]),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
