import { decodeCursor, pageSize, requireAdmin, toConnection } from '@cartograph/shared';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { countOrders, listOrders, orderCursor, orderCursorShape } from '../data/order-store.js';
import { loadVisibleOrder } from '../domain/order-access.js';

export const Query: QueryResolvers = {
  order: (_parent, { id }, { viewer, loaders }) => loadVisibleOrder(loaders, viewer, id),

  orders: async (_parent, { first, after, status, userId }, { viewer, db }) => {
    requireAdmin(viewer);
    const size = pageSize(first);
    const cursor = after ? decodeCursor(after, orderCursorShape) : undefined;
    const filter = { ...(status && { status }), ...(userId && { userId }) };
    const [rows, totalCount] = await Promise.all([
      listOrders(db, filter, size + 1, cursor),
      countOrders(db, filter),
    ]);
    return toConnection(rows, size, totalCount, orderCursor);
  },
};
