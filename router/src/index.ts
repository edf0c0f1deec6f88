import { readFile } from 'node:fs/promises';
import {
  createAccessTokenVerifier,
  createLogger,
  listen,
  readPem,
  stopOnSignals,
} from '@cartograph/shared';
import { loadEnv } from './env.js';
import { createRouter } from './server.js';

// @apollo/gateway reports usage to Apollo unless told not to; it reads this when constructed.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

const env = loadEnv();
const logger = createLogger('router', env.LOG_LEVEL);

const router = createRouter({
  supergraphSdl: await readFile(env.SUPERGRAPH_PATH, 'utf8'),
  subgraphUrls: env.subgraphUrls,
  subgraphPool: { connections: env.SUBGRAPH_CONNECTIONS, timeoutMs: env.SUBGRAPH_TIMEOUT_MS },
  subscriptions: {
    queueLimit: env.SUBSCRIPTION_QUEUE_LIMIT,
    retryAttempts: env.SUBGRAPH_WS_RETRY_ATTEMPTS,
    maxPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
  },
  verifyAccessToken: await createAccessTokenVerifier(
    readPem(env.JWT_PUBLIC_KEY, env.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY'),
    { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
  ),
  logger,
  introspection: env.INTROSPECTION ?? env.NODE_ENV !== 'production',
  corsOrigins: env.CORS_ORIGINS,
});

await router.apollo.start();
const port = await listen(router.httpServer, env.ROUTER_PORT, env.HOST);
logger.info(
  { port, subgraphs: Object.fromEntries([...router.subgraphs].map(([n, s]) => [n, s.url])) },
  'listening',
);

stopOnSignals(logger, () => router.stop());
