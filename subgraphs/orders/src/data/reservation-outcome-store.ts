import { enqueueEvents, type EventPayload } from '@cartograph/shared';
import type { OrderStatus } from '../generated/prisma/client.js';
import type { Tx } from './db.js';
import { statusChanged } from './order-store.js';

/** Locks an order for the rest of the transaction, so replies and requests for it take turns. */
export async function lockOrder(tx: Tx, id: string) {
  const [order] = await tx.$queryRaw<
    { user_id: string; status: OrderStatus; stock_released_at: Date | null }[]
  >`SELECT user_id, status, stock_released_at FROM orders WHERE id = ${id} FOR UPDATE`;
  return order
    ? {
        id,
        userId: order.user_id,
        status: order.status,
        stockReleased: order.stock_released_at !== null,
      }
    : null;
}

type LockedOrder = NonNullable<Awaited<ReturnType<typeof lockOrder>>>;

/** PENDING → CONFIRMED: each line gets its reserved unit price, the order its total. */
export async function confirmOrder(
  tx: Tx,
  order: LockedOrder,
  reply: EventPayload<'StockReserved'>,
) {
  const { lines } = reply;
  await tx.$executeRaw`
    UPDATE order_items AS item
    SET unit_price_cents = line.unit_price_cents, currency = line.currency
    FROM unnest(
      ${lines.map((line) => line.productId)}::text[],
      ${lines.map((line) => line.unitPriceCents)}::int[],
      ${lines.map((line) => line.currency)}::text[]
    ) AS line(product_id, unit_price_cents, currency)
    WHERE item.order_id = ${order.id} AND item.product_id = line.product_id`;
  const totalCents = lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  const confirmed = await tx.order.update({
    where: { id: order.id },
    data: { status: 'CONFIRMED', totalCents, currency: lines[0]?.currency ?? 'USD' },
  });
  await tx.orderStatusChange.create({ data: { orderId: order.id, status: 'CONFIRMED' } });
  await enqueueEvents(tx, [statusChanged(confirmed, 'CONFIRMED')]);
}

/** PENDING → REJECTED, with the reason recorded on the order and in its history. */
export async function rejectOrder(tx: Tx, order: LockedOrder, reason: string) {
  const rejected = await tx.order.update({
    where: { id: order.id },
    data: { status: 'REJECTED', rejectionReason: reason },
  });
  await tx.orderStatusChange.create({ data: { orderId: order.id, status: 'REJECTED', reason } });
  await enqueueEvents(tx, [statusChanged(rejected, 'REJECTED')]);
}

export async function markStockReleased(tx: Tx, orderId: string) {
  await tx.order.updateMany({
    where: { id: orderId, stockReleasedAt: null },
    data: { stockReleasedAt: new Date() },
  });
}
