import { createSubgraphBase, streams, type SubgraphConfig } from '@cartograph/shared';
import { createContext, type Deps } from './context.js';
import { createDb } from './data/db.js';
import { followStockChanges } from './events/stock-changes.js';
import { handledRequests, handleStockRequest } from './events/stock-requests.js';
import { resolvers } from './resolvers/index.js';

export interface ProductsConfig extends SubgraphConfig {
  /** How long a stock request may stay unacknowledged before another consumer claims it. */
  claimIdleMs?: number;
}

/**
 * The products subgraph, built from its configuration without listening: `index.ts` starts it
 * from the environment, tests from their own settings. Besides the server: the outbox relay and
 * the consumer of stock requests, and the follower of stock changes that feeds subscriptions.
 */
export async function createProductsService(config: ProductsConfig) {
  const base = await createSubgraphBase('products', config, createDb);
  const events = base.eventRuntime({
    stream: streams.stockRequests,
    group: 'products',
    accepts: handledRequests,
    handle: (event) => handleStockRequest(base.eventsDb, event),
    claimIdleMs: config.claimIdleMs,
  });
  const stockChanges = followStockChanges(base.follower('changes'));
  const deps: Deps = {
    db: base.db,
    verifyAccessToken: base.verifyAccessToken,
    events,
    stockChanges: stockChanges.hub,
  };
  const service = base.serve({
    schema: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (req) => createContext(req, deps),
    subscriptions: true,
    workers: [stockChanges, events],
  });
  return { ...service, logger: base.logger, metrics: base.metrics, ...deps };
}
