import {
  checkEvictionPolicy,
  createLogger,
  createRedis,
  listen,
  listenForMetrics,
  startTracing,
  stopOnSignals,
} from '@cartograph/shared';
import { loadEnv, routerOptionsFromEnv } from './env.js';
import { createRouter } from './server.js';

// @apollo/gateway reports usage to Apollo unless told not to; it reads this when constructed.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

const stopTracing = await startTracing('router');
const env = loadEnv();
const logger = createLogger('router', env.LOG_LEVEL);
// Rate limits and persisted queries live in Redis, shared by every router replica.
const redis = createRedis(env.REDIS_URL, logger, 'router');
await checkEvictionPolicy(redis, logger);

const options = await routerOptionsFromEnv(env, { redis, logger });
const router = createRouter(options);
await router.start();
const port = await listen(router.httpServer, env.ROUTER_PORT, env.HOST);
const metricsListener = await listenForMetrics(router.metrics, env, logger);
logger.info(
  { port, subgraphs: router.subgraphUrls, trustedDocuments: options.trustedDocuments?.size },
  'listening',
);

stopOnSignals(logger, async () => {
  await router.stop();
  await metricsListener?.close();
  await redis.quit();
  await stopTracing();
});
