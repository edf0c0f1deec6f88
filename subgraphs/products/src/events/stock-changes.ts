import {
  EventHub,
  followStream,
  streams,
  type EventPayload,
  type Logger,
} from '@cartograph/shared';
import type { Redis } from 'ioredis';

/** A stock change as subscriptions receive it: `StockChange.product` resolves the product. */
export type StockChangeRow = EventPayload<'StockChanged'>;

/**
 * Every stock change, whichever replica made it, fanned out to this process's subscriptions:
 * one Redis follower per process, however many subscribers.
 */
export function followStockChanges(options: { redis: Redis; prefix: string; logger: Logger }) {
  const hub = new EventHub<StockChangeRow>();
  const follower = followStream({
    ...options,
    stream: streams.stockChanges,
    onEvent: (event) => {
      if (event.type === 'StockChanged') hub.publish([event.payload.productId], event.payload);
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
