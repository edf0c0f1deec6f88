import { notFound, requireViewer, type Viewer } from '@cartograph/shared';
import type { Loaders } from '../data/loaders.js';
import type { OrderRow } from '../data/order-store.js';

/** Orders are visible to their owner and to admins only. */
export const canSee = (viewer: Viewer | null, order: Pick<OrderRow, 'userId'>) =>
  viewer !== null && (viewer.role === 'ADMIN' || viewer.id === order.userId);

/**
 * The order if the caller may see it. Someone else's order is NOT_FOUND, exactly like a missing
 * one, so ids of other people's orders reveal nothing.
 */
export async function loadVisibleOrder(loaders: Loaders, viewer: Viewer | null, id: string) {
  const caller = requireViewer(viewer);
  const order = await loaders.orderById.load(id);
  if (!order || !canSee(caller, order)) throw notFound('Order');
  return order;
}
