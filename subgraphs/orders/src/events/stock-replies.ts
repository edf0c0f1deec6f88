import {
  enqueueEvents,
  markEventProcessed,
  newEvent,
  type IncomingEvent,
} from '@cartograph/shared';
import type { Db } from '../data/db.js';
import {
  confirmOrder,
  lockOrder,
  markStockReleased,
  rejectOrder,
} from '../data/reservation-outcome-store.js';

/** The events the orders subgraph consumes from `stock:replies`. */
export const handledReplies = ['StockReserved', 'StockRejected', 'StockReleased'] as const;

/**
 * Applies the products subgraph's answer to an order, once: the event id is recorded in the
 * same transaction, and a reply for an order that moved on changes nothing but the record of a
 * release. A CANCELLED order keeps its status whatever arrives: StockRejected (its reservation
 * refused, say because the cancel's release came first) changes nothing, StockReleased records
 * that its stock is back (which ends the release's redelivery), and a StockReserved that lands
 * before that asks for the stock back once more (the cancel already did; products gives units
 * back once however often it is asked).
 */
export function handleStockReply(db: Db, event: IncomingEvent): Promise<void> {
  return db.$transaction(async (tx) => {
    if (!(await markEventProcessed(tx, event.id))) return;
    const { orderId } = event.payload as { orderId: string };
    const order = await lockOrder(tx, orderId);
    if (!order) return;
    if (event.type === 'StockReserved') {
      if (order.status === 'PENDING') await confirmOrder(tx, order, event.payload);
      else if (order.status === 'CANCELLED' && !order.stockReleased) {
        await enqueueEvents(tx, [newEvent('ReleaseStock', orderId, { orderId })]);
      }
    } else if (event.type === 'StockRejected') {
      if (order.status === 'PENDING') {
        const reason = event.payload.reasons
          .map((line) => `${line.productId}: ${line.reason}`)
          .join('; ');
        await rejectOrder(tx, order, reason);
      }
    } else if (event.type === 'StockReleased') {
      await markStockReleased(tx, orderId);
    }
  });
}
