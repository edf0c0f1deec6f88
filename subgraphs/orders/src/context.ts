import type { EventHub, EventRuntime, SubgraphContext } from '@cartograph/shared';
import type { Db } from './data/db.js';
import type { Loaders } from './data/loaders.js';
import type { OrderChangeEvent } from './events/order-changes.js';

/** What the resolvers use beside the caller and the request's loaders; tests pass their own. */
export interface Deps {
  db: Db;
  /** Publishes what mutations enqueued (stock requests) as soon as they commit. */
  events: Pick<EventRuntime, 'kick'>;
  /** Status changes from every replica, for subscriptions. */
  orderChanges: EventHub<OrderChangeEvent>;
}

/** A request's context: `Deps`, the viewer and per-request loaders (`createOrdersService`). */
export type Context = SubgraphContext<Deps, Loaders>;
