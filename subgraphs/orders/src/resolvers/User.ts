import { decodeCursor, forbidden, isAdmin, pageSize, requireViewer } from '@cartograph/shared';
import type { UserResolvers } from '../__generated__/resolvers-types.js';
import { orderCursorShape } from '../data/order-store.js';

export const User: UserResolvers = {
  orders: (user, { first, after, status }, { viewer, loaders }) => {
    const caller = requireViewer(viewer);
    if (caller.id !== user.id && !isAdmin(caller))
      throw forbidden("Only the user and admins see a user's orders");
    return loaders.ordersByUser.load({
      userId: user.id,
      first: pageSize(first),
      after: after ? decodeCursor(after, orderCursorShape) : undefined,
      status: status ?? undefined,
    });
  },
};
