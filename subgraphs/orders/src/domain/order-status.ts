import { conflict, type Viewer } from '@cartograph/shared';
import type { OrderStatus } from '../generated/prisma/client.js';

/** The status machine: every legal move from each status. */
const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'REJECTED', 'CANCELLED'],
  CONFIRMED: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** Statuses only the system sets, from the products subgraph's answer to a reservation. */
const systemOnly: readonly OrderStatus[] = ['CONFIRMED', 'REJECTED'];

export const canTransition = (from: OrderStatus, to: OrderStatus) => transitions[from].includes(to);

/**
 * Whether a move asks for the order's stock back: cancelling an order whose stock is or may be
 * reserved. A PENDING order may already hold stock whose answer was lost on the way; the
 * products subgraph answers a release for an order it never reserved by refusing any later
 * reservation for it, so the release is safe to send either way.
 */
export const releasesStock = (from: OrderStatus, to: OrderStatus) =>
  to === 'CANCELLED' && (from === 'PENDING' || from === 'CONFIRMED' || from === 'PAID');

/**
 * Checks a move requested through the API. Admins move orders along the machine (PAID, SHIPPED,
 * DELIVERED, CANCELLED); owners may only cancel, before SHIPPED. Anything else is CONFLICT.
 */
export function assertRequestedTransition(
  viewer: Viewer,
  order: { userId: string; status: OrderStatus },
  to: OrderStatus,
) {
  if (systemOnly.includes(to)) {
    throw conflict(`${to} is set by the system when stock is reserved, not by request`);
  }
  const allowed = viewer.role === 'ADMIN' || (viewer.id === order.userId && to === 'CANCELLED');
  if (!allowed || !canTransition(order.status, to)) {
    throw conflict(`An order cannot go from ${order.status} to ${to}`);
  }
}
