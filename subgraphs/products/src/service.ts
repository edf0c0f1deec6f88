import { createSubgraphBase, streams, type SubgraphConfig } from '@cartograph/shared';
import type { Deps } from './context.js';
import { createDb } from './data/db.js';
import { createLoaders } from './data/loaders.js';
import { followStockChanges } from './events/stock-changes.js';
import { handledRequests, handleStockRequest } from './events/stock-requests.js';
import { resolvers } from './resolvers/index.js';

/** The products subgraph needs nothing beside what every subgraph does. */
export type ProductsConfig = SubgraphConfig;

/**
 * The products subgraph, built from its configuration without listening: `index.ts` starts it
 * from the environment, tests from their own settings. Besides the server: the outbox relay and
 * the consumer of stock requests, and the follower of stock changes that feeds subscriptions.
 */
export async function createProductsService(config: ProductsConfig) {
  const base = await createSubgraphBase('products', config, createDb);
  const events = base.eventRuntime({
    stream: streams.stockRequests,
    accepts: handledRequests,
    handle: (event) => handleStockRequest(base.eventsDb, event),
  });
  const stockChanges = followStockChanges(base.follower('changes'));
  return base.serve({
    schema: new URL('../schema.graphql', import.meta.url),
    resolvers,
    deps: { db: base.db, events, stockChanges: stockChanges.hub } satisfies Deps,
    loaders: createLoaders,
    workers: [stockChanges, events],
  });
}
