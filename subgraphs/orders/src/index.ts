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
import { followOrderChanges } from './events/order-changes.js';
import { startRedelivery } from './events/redelivery.js';
import { handledReplies, handleStockReply } from './events/stock-replies.js';
import { createServer } from './server.js';

const stopTracing = await startTracing('orders');
const env = loadEnv();
const logger = createLogger('orders', env.LOG_LEVEL);
const metrics = createMetrics('orders');
const db = createDb(
  env.ORDERS_DATABASE_URL,
  env.DATABASE_POOL_SIZE,
  databaseQueryCounter(metrics.registry),
);
const events = createEventRuntime({
  name: 'orders',
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  db,
  logger,
  registry: metrics.registry,
  consume: {
    stream: streams.stockReplies,
    group: 'orders',
    accepts: handledReplies,
    handle: (event) => handleStockReply(db, event),
  },
});
await checkEvictionPolicy(events.redis, logger);

const orderChanges = followOrderChanges({
  redis: createRedis(env.REDIS_URL, logger, 'orders-changes'),
  prefix: env.REDIS_PREFIX,
  logger,
  db,
});

const { apollo, httpServer } = createServer({
  deps: {
    db,
    verifyAccessToken: await accessTokenVerifierFromEnv(env),
    events,
    orderChanges: orderChanges.hub,
  },
  logger,
  metrics,
  ...serverSettingsFromEnv(env),
});

await apollo.start();
events.start();
const redelivery = startRedelivery({
  db,
  kick: events.kick,
  logger,
  afterMs: env.STOCK_RETRY_AFTER_MS,
});
const port = await listen(httpServer, env.ORDERS_PORT, env.HOST);
const metricsListener = await listenForMetrics(metrics, env, logger);
logger.info({ port }, 'listening');

stopOnSignals(logger, async () => {
  redelivery.stop();
  await apollo.stop();
  await metricsListener?.close();
  await orderChanges.stop();
  await events.stop();
  await db.$disconnect();
  await stopTracing();
});
