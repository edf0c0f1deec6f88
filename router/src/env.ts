import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  accessTokenVerifierFromEnv,
  baseEnv,
  flagVar,
  internalSecretOf,
  metricsOnMainPort,
  operationLimitsFromEnv,
  loadEnv as parse,
  portVar,
  type Logger,
} from '@cartograph/shared';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createRateLimits } from './rate-limits.js';
import type { RouterOptions } from './server.js';
import { loadTrustedDocuments } from './trusted-documents.js';

const schema = z.object({
  ...baseEnv,
  ROUTER_PORT: portVar(4000),
  /** The composed supergraph to serve; the same router can front any supergraph. */
  SUPERGRAPH_PATH: z
    .string()
    .default(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
  /** Apollo Sandbox and introspection; unset means on outside production, off in production. */
  INTROSPECTION: z
    .enum(['true', 'false', '1', '0'])
    .transform((value) => value === 'true' || value === '1')
    .optional(),
  /** Operations per window from one client address, and from one signed-in user; 0 is off. */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Proxies in front of the router whose X-Forwarded-For entries are believed. */
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** Keep-alive connections the router holds open to each subgraph. */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(128),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The largest answer (HTTP body, subscription event) the router reads from a subgraph. */
  SUBGRAPH_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** Events a subscription may have waiting for a slow client before it is ended. */
  SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Reconnection attempts to a subgraph that went away before its subscriptions end. */
  SUBGRAPH_WS_RETRY_ATTEMPTS: z.coerce.number().int().min(0).max(100).default(8),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Open graphql-ws sockets, and live subscriptions, per client address and process; 0 is off. */
  MAX_WS_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(50),
  MAX_SUBSCRIPTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(500),
  /** Automatic persisted queries over HTTP, cached in Redis under REDIS_PREFIX. */
  PERSISTED_QUERIES: flagVar(true),
  /** How long a registered query is kept; at most 30 days. */
  APQ_TTL_SECONDS: z.coerce.number().int().min(1).max(2_592_000).default(86_400),
  /**
   * The largest query APQ stores. 1000 tokens (MAX_TOKENS) of a printed query take 6 to 15
   * bytes each; a larger query still runs, it is just not stored.
   */
  APQ_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(32 * 1024),
  /** Queries one client address may register per RATE_LIMIT_WINDOW_SECONDS; 0 is no limit. */
  APQ_REGISTRATIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(10),
  /** A manifest `{ sha256: document }`; when set, the router runs only its documents. */
  TRUSTED_DOCUMENTS: z.string().optional(),
});

export type Env = z.output<typeof schema> & {
  /** `<NAME>_SUBGRAPH_URL` variables: a URL for the subgraph the supergraph calls `<name>`. */
  subgraphUrls: Record<string, string>;
};

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    const match = /^([A-Z0-9_]+)_SUBGRAPH_URL$/.exec(key);
    if (match?.[1] && value) subgraphUrls[match[1].toLowerCase()] = z.url().parse(value);
  }
  const env = parse(schema, source);
  return { ...env, subgraphUrls };
}

/**
 * The router's options from its environment: the supergraph, trusted documents and keys read,
 * and what lives in `redis` (rate limits, persisted queries), which every router replica shares.
 */
export async function routerOptionsFromEnv(
  env: Env,
  { redis, logger }: { redis: Redis; logger: Logger },
): Promise<RouterOptions> {
  const trustedDocuments = env.TRUSTED_DOCUMENTS
    ? await loadTrustedDocuments(env.TRUSTED_DOCUMENTS)
    : undefined;
  return {
    supergraphSdl: await readFile(env.SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: env.subgraphUrls,
    subgraphPool: {
      connections: env.SUBGRAPH_CONNECTIONS,
      timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      maxResponseBytes: env.SUBGRAPH_MAX_RESPONSE_BYTES,
    },
    subscriptions: {
      queueLimit: env.SUBSCRIPTION_QUEUE_LIMIT,
      retryAttempts: env.SUBGRAPH_WS_RETRY_ATTEMPTS,
      maxPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerAddress: env.MAX_WS_CONNECTIONS_PER_ADDRESS,
      maxPerAddress: env.MAX_SUBSCRIPTIONS_PER_ADDRESS,
    },
    limits: operationLimitsFromEnv(env),
    maxRequestBytes: env.MAX_REQUEST_BYTES,
    metricsOnMainPort: metricsOnMainPort(env),
    rateLimits: createRateLimits(
      redis,
      env.REDIS_PREFIX,
      {
        perAddress: env.RATE_LIMIT_PER_ADDRESS,
        perUser: env.RATE_LIMIT_PER_USER,
        windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      },
      logger,
    ),
    trustedProxies: env.TRUSTED_PROXIES,
    readiness: { redis: () => redis.ping() },
    internalSecret: internalSecretOf(env),
    verifyAccessToken: await accessTokenVerifierFromEnv(env),
    logger,
    introspection: env.INTROSPECTION ?? env.NODE_ENV !== 'production',
    corsOrigins: env.CORS_ORIGINS,
    // With trusted documents nothing may be registered, so APQ is off.
    apq:
      env.PERSISTED_QUERIES && !trustedDocuments
        ? {
            redis,
            prefix: env.REDIS_PREFIX,
            ttlSeconds: env.APQ_TTL_SECONDS,
            maxBytes: env.APQ_MAX_BYTES,
            registrationsPerAddress: env.APQ_REGISTRATIONS_PER_ADDRESS,
            windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
          }
        : undefined,
    trustedDocuments,
  };
}
