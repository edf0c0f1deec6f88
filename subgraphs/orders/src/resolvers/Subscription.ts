import { mapStream, requireViewer, type EventQueue } from '@cartograph/shared';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { createLoaders } from '../data/loaders.js';
import type { OrderRow } from '../data/order-store.js';
import { loadVisibleOrder } from '../domain/order-access.js';
import { orderKey, userKey, type OrderChange } from '../events/order-changes.js';

/**
 * The order as it is now for each change. Loaders are per request, and a subscription is one
 * long request, so each event gets fresh ones: cached items or history would be stale.
 */
function ordersAsTheyChange(context: Context, changes: EventQueue<OrderChange>, first?: OrderRow) {
  return mapStream(
    changes,
    async (change) => {
      context.loaders = createLoaders(context.db);
      return (await context.loaders.orderById.load(change.orderId)) ?? undefined;
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
