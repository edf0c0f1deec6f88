import { requireAdmin, requireViewer } from '@cartograph/shared';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { requestStatusChange } from '../domain/change-status.js';
import { placeOrder } from '../domain/place-order.js';

export const Mutation: MutationResolvers = {
  placeOrder: async (_parent, { input }, { viewer, db, events }) => {
    const order = await placeOrder(db, requireViewer(viewer), input);
    events.kick();
    return order;
  },

  cancelOrder: async (_parent, { id }, { viewer, db, events }) => {
    const caller = requireViewer(viewer);
    const by = caller.role === 'ADMIN' ? 'an admin' : 'the customer';
    const order = await requestStatusChange(db, caller, id, 'CANCELLED', `Cancelled by ${by}`);
    events.kick();
    return order;
  },

  updateOrderStatus: async (_parent, { id, status }, { viewer, db, events }) => {
    const order = await requestStatusChange(db, requireAdmin(viewer), id, status);
    events.kick();
    return order;
  },
};
