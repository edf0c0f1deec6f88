import { conflict, type Viewer } from '@cartograph/shared';
import type { Db } from '../data/db.js';
import { findOrderByIdempotencyKey, insertOrder, type OrderRow } from '../data/order-store.js';
import { sameLines, validateOrderRequest, type OrderLine } from './order-lines.js';

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === 'P2002';

function existingOrder(order: OrderRow & { items: OrderLine[] }, lines: readonly OrderLine[]) {
  if (!sameLines(order.items, lines)) {
    throw conflict('This idempotency key was already used for a different order');
  }
  const { items: _items, ...row } = order;
  return row;
}

/**
 * Places a PENDING order, at most once per (user, idempotency key): a repeated key returns the
 * order it first placed, also when the two requests race (the unique index decides the winner).
 */
export async function placeOrder(
  db: Db,
  viewer: Viewer,
  input: { items: readonly OrderLine[]; idempotencyKey: string },
): Promise<OrderRow> {
  const { idempotencyKey, lines } = validateOrderRequest(input);
  const existing = await findOrderByIdempotencyKey(db, viewer.id, idempotencyKey);
  if (existing) return existingOrder(existing, lines);
  try {
    return await insertOrder(db, { userId: viewer.id, idempotencyKey, lines });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findOrderByIdempotencyKey(db, viewer.id, idempotencyKey);
    if (!winner) throw error;
    return existingOrder(winner, lines);
  }
}
