import { randomUUID } from 'node:crypto';
import { enqueueEvents, newEvent, type EventPayload, type OutgoingEvent } from '@cartograph/shared';
import { decideReservation, type LockedProduct, type ReservedLine } from '../domain/reservation.js';
import type { Reservation } from '../generated/prisma/client.js';
import type { Db, Tx } from './db.js';
import { stockChanged } from './product-store.js';

/** The reason given for a reservation requested after its order's release. */
export const cancelledReason = 'order cancelled';

/**
 * A release that found nothing reserved: a RELEASED row without lines, so the order's
 * reservation, if its request still comes, is refused instead of taking stock nobody would give
 * back.
 */
const isTombstone = (reservation: Reservation) =>
  reservation.status === 'RELEASED' && (reservation.lines as unknown[]).length === 0;

/**
 * The answer a reservation gave; sent again, with the same id, when its request comes again.
 * A tombstone has given none yet: a request for it is refused, line by line, with the row's
 * reply id, so repeats of that answer are one event too.
 */
function replyTo(reservation: Reservation, request: EventPayload<'ReserveStock'>): OutgoingEvent {
  if (isTombstone(reservation)) {
    const reasons = request.lines.map(({ productId }) => ({ productId, reason: cancelledReason }));
    return newEvent(
      'StockRejected',
      reservation.orderId,
      { orderId: reservation.orderId, reasons },
      reservation.replyEventId,
    );
  }
  if (reservation.status === 'REJECTED') {
    const reasons = reservation.reasons as EventPayload<'StockRejected'>['reasons'];
    return newEvent(
      'StockRejected',
      reservation.orderId,
      { orderId: reservation.orderId, reasons },
      reservation.replyEventId,
    );
  }
  const lines = reservation.lines as unknown as ReservedLine[];
  return newEvent(
    'StockReserved',
    reservation.orderId,
    { orderId: reservation.orderId, lines },
    reservation.replyEventId,
  );
}

/** Locks the products in id order, so concurrent reservations never deadlock. */
async function lockProducts(tx: Tx, ids: readonly string[]) {
  const rows = await tx.$queryRaw<
    { id: string; stock: number; price_cents: number; currency: string; archived: boolean }[]
  >`
    SELECT id, stock, price_cents, currency, archived_at IS NOT NULL AS archived
    FROM products WHERE id = ANY(${[...ids].sort()}::text[])
    ORDER BY id
    FOR UPDATE`;
  return new Map<string, LockedProduct>(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        stock: row.stock,
        priceCents: row.price_cents,
        currency: row.currency,
        archived: row.archived,
      },
    ]),
  );
}

/** Moves stock by `delta` for each line, with its ledger row; returns the new levels. */
async function moveStock(
  tx: Tx,
  lines: readonly { productId: string; delta: number }[],
  reason: string,
) {
  const changes: OutgoingEvent[] = [];
  for (const { productId, delta } of lines) {
    const [row] = await tx.$queryRaw<{ stock: number }[]>`
      UPDATE products SET stock = stock + ${delta}::int, updated_at = now() AT TIME ZONE 'UTC'
      WHERE id = ${productId} RETURNING stock`;
    await tx.stockMovement.create({ data: { productId, delta, stockAfter: row!.stock, reason } });
    changes.push(stockChanged(productId, row!.stock));
  }
  return changes;
}

/**
 * Reserves an order's stock, all lines or none, in one transaction that also writes the answer
 * and the stock changes to the outbox. The reservation row is claimed first: a duplicate request
 * waits on it, then finds it and sends the same answer again instead of reserving twice.
 */
export function reserveStock(
  db: Db,
  requestEventId: string,
  request: EventPayload<'ReserveStock'>,
) {
  return db.$transaction(async (tx) => {
    const { orderId } = request;
    const replyEventId = randomUUID();
    const claimed = await tx.$executeRaw`
      INSERT INTO reservations (order_id, status, request_event_id, reply_event_id, lines)
      VALUES (${orderId}, 'RESERVED', ${requestEventId}, ${replyEventId}, '[]'::jsonb)
      ON CONFLICT (order_id) DO NOTHING`;
    if (claimed === 0) {
      const existing = await tx.reservation.findUniqueOrThrow({ where: { orderId } });
      await enqueueEvents(tx, [replyTo(existing, request)]);
      return existing.status;
    }
    const products = await lockProducts(
      tx,
      request.lines.map((line) => line.productId),
    );
    const decision = decideReservation(request.lines, products);
    if (!decision.ok) {
      const rejected = await tx.reservation.update({
        where: { orderId },
        data: { status: 'REJECTED', reasons: decision.reasons },
      });
      await enqueueEvents(tx, [replyTo(rejected, request)]);
      return rejected.status;
    }
    const changes = await moveStock(
      tx,
      decision.lines.map((line) => ({ productId: line.productId, delta: -line.quantity })),
      `reserved for order ${orderId}`,
    );
    const reserved = await tx.reservation.update({
      where: { orderId },
      data: { lines: decision.lines as unknown as object[] },
    });
    await enqueueEvents(tx, [replyTo(reserved, request), ...changes]);
    return reserved.status;
  });
}

/**
 * Gives a cancelled order's stock back, exactly once: only the transaction that moves the
 * reservation from RESERVED to RELEASED returns the units. Where there is no reservation yet, it
 * leaves a tombstone that refuses the order's reservation should its request still come. The
 * tombstone is inserted like a reservation's claim, ON CONFLICT DO NOTHING on the order: against
 * a concurrent reservation, one of the two inserts waits for the other's commit, so either the
 * reservation finds the tombstone, or this release finds the committed reservation and gives
 * its units back. Every request is answered.
 */
export function releaseStock(
  db: Db,
  requestEventId: string,
  request: EventPayload<'ReleaseStock'>,
) {
  return db.$transaction(async (tx) => {
    const { orderId } = request;
    const reply = newEvent('StockReleased', orderId, { orderId });
    const tombstone = await tx.$executeRaw`
      INSERT INTO reservations
        (order_id, status, request_event_id, reply_event_id, lines, released_at)
      VALUES (${orderId}, 'RELEASED', ${requestEventId}, ${randomUUID()}, '[]'::jsonb, now())
      ON CONFLICT (order_id) DO NOTHING`;
    if (tombstone === 1) {
      await enqueueEvents(tx, [reply]);
      return false;
    }
    const released = await tx.reservation.updateManyAndReturn({
      where: { orderId, status: 'RESERVED' },
      data: { status: 'RELEASED', releasedAt: new Date() },
    });
    if (released.length === 0) {
      await enqueueEvents(tx, [reply]);
      return false;
    }
    const lines = released[0]!.lines as unknown as ReservedLine[];
    await lockProducts(
      tx,
      lines.map((line) => line.productId),
    );
    const changes = await moveStock(
      tx,
      lines.map((line) => ({ productId: line.productId, delta: line.quantity })),
      `released from order ${orderId}`,
    );
    await enqueueEvents(tx, [reply, ...changes]);
    return true;
  });
}
