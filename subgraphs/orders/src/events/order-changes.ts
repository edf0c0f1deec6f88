import {
  EventHub,
  followStream,
  streams,
  type EventPayload,
  type Logger,
} from '@cartograph/shared';
import type { Redis } from 'ioredis';

export type OrderChange = EventPayload<'OrderStatusChanged'>;

/** The hub keys an order change is published under. */
export const orderKey = (orderId: string) => `order:${orderId}`;
export const userKey = (userId: string) => `user:${userId}`;

/**
 * Every status change, whichever replica made it, fanned out to this process's subscriptions:
 * one Redis follower per process, however many subscribers.
 */
export function followOrderChanges(options: { redis: Redis; prefix: string; logger: Logger }) {
  const hub = new EventHub<OrderChange>();
  const follower = followStream({
    ...options,
    stream: streams.orderChanges,
    onEvent: (event) => {
      if (event.type !== 'OrderStatusChanged') return;
      hub.publish([orderKey(event.payload.orderId), userKey(event.payload.userId)], event.payload);
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
