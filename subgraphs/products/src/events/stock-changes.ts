import {
  EventHub,
  followStream,
  streams,
  type EventPayload,
  type Logger,
} from '@cartograph/shared';
import type { Redis } from 'ioredis';
import type { Db } from '../data/db.js';
import { createLoaders, type Loaders } from '../data/loaders.js';
import type { ProductRow } from '../data/product-store.js';

/**
 * A stock change as subscriptions receive it, with what every subscriber resolves from it,
 * loaded once for all of them: the product (its stock as this change left it, the rest as it is
 * now) and the loaders its other fields (`category`) read through.
 */
export type StockChangeRow = EventPayload<'StockChanged'> & {
  product: ProductRow;
  loaders: Loaders;
};

/**
 * Every stock change, whichever replica made it, fanned out to this process's subscriptions:
 * one Redis follower per process, however many subscribers, and one read per batch of events
 * that anyone follows, however many follow it. Archived products' changes reach nobody.
 */
export function followStockChanges(options: {
  redis: Redis;
  prefix: string;
  logger: Logger;
  db: Db;
}) {
  const hub = new EventHub<StockChangeRow>();
  const follower = followStream({
    ...options,
    stream: streams.stockChanges,
    onEvents: async (events) => {
      const changes = events.flatMap((event) =>
        event.type === 'StockChanged' && hub.listening([event.payload.productId])
          ? [event.payload]
          : [],
      );
      if (changes.length === 0) return;
      const loaders = createLoaders(options.db);
      const products = await Promise.all(
        changes.map((change) => loaders.productById.load(change.productId)),
      );
      changes.forEach((change, i) => {
        const product = products[i];
        if (!product || product.archivedAt) return;
        hub.publish([change.productId], {
          ...change,
          product: { ...product, stock: change.stock },
          loaders,
        });
      });
    },
  });
  return {
    hub,
    async stop() {
      await follower.stop();
      options.redis.disconnect();
    },
  };
}
