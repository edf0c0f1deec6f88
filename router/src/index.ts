import { readFile } from 'node:fs/promises';
import {
  accessTokenVerifierFromEnv,
  checkEvictionPolicy,
  createLogger,
  createRedis,
  internalSecretOf,
  listen,
  listenForMetrics,
  metricsOnMainPort,
  operationLimitsFromEnv,
  startTracing,
  stopOnSignals,
} from '@cartograph/shared';
import { loadEnv } from './env.js';
import { createRateLimits } from './rate-limits.js';
import { createRouter } from './server.js';
import { loadTrustedDocuments } from './trusted-documents.js';

// @apollo/gateway reports usage to Apollo unless told not to; it reads this when constructed.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

const stopTracing = await startTracing('router');
const env = loadEnv();
const logger = createLogger('router', env.LOG_LEVEL);
const trustedDocuments = env.TRUSTED_DOCUMENTS
  ? await loadTrustedDocuments(env.TRUSTED_DOCUMENTS)
  : undefined;
// Rate limits and persisted queries live in Redis, shared by every router replica.
const redis = createRedis(env.REDIS_URL, logger, 'router');
await checkEvictionPolicy(redis, logger);

const router = createRouter({
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
      trustedProxies: env.TRUSTED_PROXIES,
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
});

await router.apollo.start();
const port = await listen(router.httpServer, env.ROUTER_PORT, env.HOST);
const metricsListener = await listenForMetrics(router.metrics, env, logger);
logger.info(
  {
    port,
    subgraphs: Object.fromEntries([...router.subgraphs].map(([n, s]) => [n, s.url])),
    trustedDocuments: trustedDocuments?.size,
  },
  'listening',
);

stopOnSignals(logger, async () => {
  await router.stop();
  await metricsListener?.close();
  await redis.quit();
  await stopTracing();
});
