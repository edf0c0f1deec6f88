import { createSubgraphBase, streams, type SubgraphConfig, type Worker } from '@cartograph/shared';
import type { Deps } from './context.js';
import { createDb } from './data/db.js';
import { createLoaders } from './data/loaders.js';
import { followOrderChanges } from './events/order-changes.js';
import { startRedelivery } from './events/redelivery.js';
import { handledReplies, handleStockReply } from './events/stock-replies.js';
import { resolvers } from './resolvers/index.js';

export interface OrdersConfig extends SubgraphConfig {
  /**
   * A stock request unanswered this long is published again (STOCK_RETRY_AFTER_MS). Unset: no
   * redelivery sweep, for in-process tests that do not exercise it.
   */
  stockRetryAfterMs?: number;
}

/**
 * The orders subgraph, built from its configuration without listening: `index.ts` starts it
 * from the environment, tests from their own settings. Besides the server: the outbox relay and
 * the consumer of stock replies, the redelivery sweep, and the follower of status changes that
 * feeds subscriptions.
 */
export async function createOrdersService(config: OrdersConfig) {
  const base = await createSubgraphBase('orders', config, createDb);
  const events = base.eventRuntime({
    stream: streams.stockReplies,
    accepts: handledReplies,
    handle: (event) => handleStockReply(base.eventsDb, event),
  });
  const orderChanges = followOrderChanges(base.follower('changes'));
  return base.serve({
    schema: new URL('../schema.graphql', import.meta.url),
    resolvers,
    deps: { db: base.db, events, orderChanges: orderChanges.hub } satisfies Deps,
    loaders: createLoaders,
    workers: [
      orderChanges,
      events,
      redelivery({
        db: base.eventsDb,
        kick: events.kick,
        logger: base.logger,
        afterMs: config.stockRetryAfterMs,
      }),
    ],
  });
}

/** The redelivery sweep as a worker: it runs once the server does, when a delay is configured. */
function redelivery(
  options: Omit<Parameters<typeof startRedelivery>[0], 'afterMs'> & { afterMs?: number },
): Worker {
  const { afterMs } = options;
  let sweep: ReturnType<typeof startRedelivery> | undefined;
  return {
    start() {
      if (afterMs !== undefined) sweep = startRedelivery({ ...options, afterMs });
    },
    stop: () => sweep?.stop(),
  };
}
