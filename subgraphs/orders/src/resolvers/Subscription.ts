import { mapStream, requireViewer, type EventQueue } from '@cartograph/shared';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import type { OrderRow } from '../data/order-store.js';
import { canSee, loadVisibleOrder } from '../domain/order-access.js';
import { orderKey, userKey, type OrderChangeEvent } from '../events/order-changes.js';

/**
 * Each status change once, in the order they happened: its status and time, with every other
 * field as the order is now. The order, and the loaders its fields read through, come with the
 * event, loaded once for every subscriber to it; each subscriber checks it may see the order. A
 * change no later than what the subscriber has already been sent (the state it started from,
 * or a change delivered late by a replica) is skipped, so a client never sees a status twice or
 * goes back in time.
 */
function ordersAsTheyChange(
  context: Context,
  changes: EventQueue<OrderChangeEvent>,
  first?: OrderRow,
) {
  const sentUpTo = new Map<string, number>();
  if (first) sentUpTo.set(first.id, first.updatedAt.getTime());
  return mapStream(
    changes,
    ({ change, order, loaders }): OrderRow | undefined => {
      const at = Date.parse(change.at);
      if (at <= (sentUpTo.get(change.orderId) ?? -Infinity)) return undefined;
      if (!canSee(context.viewer, order)) return undefined;
      context.loaders = loaders;
      sentUpTo.set(change.orderId, at);
      return { ...order, status: change.status, updatedAt: new Date(at) };
    },
    first,
  );
}

export const Subscription: SubscriptionResolvers = {
  orderStatusChanged: {
    // Listening starts before the current state is read, so no change can fall in between.
    subscribe: async (_parent, { orderId }, context) => {
      const changes = context.orderChanges.listen([orderKey(orderId)]);
      try {
        const order = await loadVisibleOrder(context.loaders, context.viewer, orderId);
        return ordersAsTheyChange(context, changes, order);
      } catch (error) {
        await changes.return();
        throw error;
      }
    },
    resolve: (order: OrderRow) => order,
  },

  myOrderUpdates: {
    subscribe: (_parent, _args, context) => {
      const viewer = requireViewer(context.viewer);
      return ordersAsTheyChange(context, context.orderChanges.listen([userKey(viewer.id)]));
    },
    resolve: (order: OrderRow) => order,
  },
};
