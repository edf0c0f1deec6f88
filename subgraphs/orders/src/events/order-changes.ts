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
import type { OrderRow } from '../data/order-store.js';

export type OrderChange = EventPayload<'OrderStatusChanged'>;

/**
 * A status change as subscriptions receive it, with what every subscriber resolves from it,
 * loaded once for all of them: the order as it is now, and the loaders its other fields
 * (`items`, `history`) read through. Each subscriber still decides whether it may see it.
 */
export interface OrderChangeEvent {
  change: OrderChange;
  order: OrderRow;
  loaders: Loaders;
}

/** The hub keys an order change is published under. */
export const orderKey = (orderId: string) => `order:${orderId}`;
export const userKey = (userId: string) => `user:${userId}`;

/**
 * Every status change, whichever replica made it, fanned out to this process's subscriptions:
 * one Redis follower per process, however many subscribers, and one read per batch of changes
 * that anyone follows, however many follow them.
 */
export function followOrderChanges(options: {
  redis: Redis;
  prefix: string;
  logger: Logger;
  db: Db;
}) {
  const hub = new EventHub<OrderChangeEvent>();
  const keysOf = (change: OrderChange) => [orderKey(change.orderId), userKey(change.userId)];
  const follower = followStream({
    ...options,
    stream: streams.orderChanges,
    onEvents: async (events) => {
      const changes = events.flatMap((event) =>
        event.type === 'OrderStatusChanged' && hub.listening(keysOf(event.payload))
          ? [event.payload]
          : [],
      );
      if (changes.length === 0) return;
      const loaders = createLoaders(options.db);
      const orders = await Promise.all(
        changes.map((change) => loaders.orderById.load(change.orderId)),
      );
      changes.forEach((change, i) => {
        const order = orders[i];
        if (order) hub.publish(keysOf(change), { change, order, loaders });
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
