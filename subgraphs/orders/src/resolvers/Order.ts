import type { OrderResolvers } from '../__generated__/resolvers-types.js';
import { canSee } from '../domain/order-access.js';

export const Order: OrderResolvers = {
  // Reached directly, `_entities` must be as safe as `order(id)`: others' orders resolve to null.
  __resolveReference: async ({ id }, { loaders, viewer }) => {
    // A representation's id comes as any JSON; only a string can name a row.
    if (typeof id !== 'string') return null;
    const order = await loaders.orderById.load(id);
    return order && canSee(viewer, order) ? order : null;
  },
  user: (order) => ({ id: order.userId }),
  items: (order, _args, { loaders }) => loaders.itemsByOrderId.load(order.id),
  history: (order, _args, { loaders }) => loaders.historyByOrderId.load(order.id),
  total: (order) =>
    order.totalCents === null
      ? null
      : { amountCents: order.totalCents, currency: order.currency ?? 'USD' },
};
