import {
  accessTokenVerifierFromEnv,
  checkEvictionPolicy,
  createEventRuntime,
  createLogger,
  createMetrics,
  createRedis,
  databaseQueryCounter,
  listen,
  listenForMetrics,
  serverSettingsFromEnv,
  startTracing,
  stopOnSignals,
  streams,
} from '@cartograph/shared';
import { createDb } from './data/db.js';
import { loadEnv } from './env.js';
import { followStockChanges } from './events/stock-changes.js';
import { handledRequests, handleStockRequest } from './events/stock-requests.js';
import { createServer } from './server.js';

const stopTracing = await startTracing('products');
const env = loadEnv();
const logger = createLogger('products', env.LOG_LEVEL);
const metrics = createMetrics('products');
const db = createDb(
  env.PRODUCTS_DATABASE_URL,
  env.DATABASE_POOL_SIZE,
  databaseQueryCounter(metrics.registry),
);
const events = createEventRuntime({
  name: 'products',
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  db,
  logger,
  registry: metrics.registry,
  consume: {
    stream: streams.stockRequests,
    group: 'products',
    accepts: handledRequests,
    handle: (event) => handleStockRequest(db, event),
  },
});
await checkEvictionPolicy(events.redis, logger);

const stockChanges = followStockChanges({
  redis: createRedis(env.REDIS_URL, logger, 'products-changes'),
  prefix: env.REDIS_PREFIX,
  logger,
  db,
});

const { apollo, httpServer } = createServer({
  deps: {
    db,
    verifyAccessToken: await accessTokenVerifierFromEnv(env),
    events,
    stockChanges: stockChanges.hub,
  },
  logger,
  metrics,
  ...serverSettingsFromEnv(env),
});

await apollo.start();
events.start();
const port = await listen(httpServer, env.PRODUCTS_PORT, env.HOST);
const metricsListener = await listenForMetrics(metrics, env, logger);
logger.info({ port }, 'listening');

stopOnSignals(logger, async () => {
  await apollo.stop();
  await metricsListener?.close();
  await stockChanges.stop();
  await events.stop();
  await db.$disconnect();
  await stopTracing();
});
