import { conflict, newEvent, notFound, type Viewer } from '@cartograph/shared';
import type { Db } from '../data/db.js';
import { findOrdersByIds, transitionOrder, type OrderRow } from '../data/order-store.js';
import type { OrderStatus } from '../generated/prisma/client.js';
import { canSee } from './order-access.js';
import { assertRequestedTransition, releasesStock } from './order-status.js';

/**
 * Applies a status change asked for through the API. When the order moves underneath us (the
 * system confirming it, another admin), the request is checked again against its new status.
 */
export async function requestStatusChange(
  db: Db,
  viewer: Viewer,
  id: string,
  to: OrderStatus,
  reason?: string,
): Promise<OrderRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [order] = await findOrdersByIds(db, [id]);
    if (!order || !canSee(viewer, order)) throw notFound('Order');
    assertRequestedTransition(viewer, order, to);
    const events = releasesStock(order.status, to)
      ? [newEvent('ReleaseStock', id, { orderId: id })]
      : [];
    const changed = await transitionOrder(db, id, { from: order.status, to, reason, events });
    if (changed) return changed;
  }
  throw conflict('The order is changing concurrently; try again');
}
