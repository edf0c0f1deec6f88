import type { EventHub, EventRuntime, SubgraphContext } from '@cartograph/shared';
import type { Db } from './data/db.js';
import type { Loaders } from './data/loaders.js';
import type { StockChangeRow } from './events/stock-changes.js';

/** What the resolvers use beside the caller and the request's loaders; tests pass their own. */
export interface Deps {
  db: Db;
  /** Publishes what mutations enqueued (stock changes) as soon as they commit. */
  events: Pick<EventRuntime, 'kick'>;
  /** Stock changes from every replica, for subscriptions. */
  stockChanges: EventHub<StockChangeRow>;
}

/** A request's context: `Deps`, the viewer and per-request loaders (`createProductsService`). */
export type Context = SubgraphContext<Deps, Loaders>;
