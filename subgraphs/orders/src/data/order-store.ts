import {
  cursorDate,
  encodeCursor,
  enqueueEvents,
  newEvent,
  type OutgoingEvent,
} from '@cartograph/shared';
import { z } from 'zod';
import type { OrderLine } from '../domain/order-lines.js';
import {
  Prisma,
  type Order,
  type OrderItem,
  type OrderStatus,
  type OrderStatusChange,
} from '../generated/prisma/client.js';
import type { Db, Tx } from './db.js';

export type OrderRow = Order;
export type OrderItemRow = OrderItem;
export type OrderStatusChangeRow = OrderStatusChange;
/** Entities owned elsewhere: this subgraph only knows their ids. */
export type UserRef = { id: string };
export type ProductRef = { id: string };

export interface OrderFilter {
  userId?: string;
  status?: OrderStatus;
}

/** Keyset position in newest-first order. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/**
 * A status change, for every orders replica's live subscriptions (through the outbox). `at` is
 * the order's `updatedAt` as this change wrote it, so a subscriber can tell a change it has
 * already seen (in the state it started from) from a new one.
 */
export const statusChanged = (
  order: { id: string; userId: string; updatedAt: Date },
  status: OrderStatus,
) =>
  newEvent('OrderStatusChanged', order.id, {
    orderId: order.id,
    userId: order.userId,
    status,
    at: order.updatedAt.toISOString(),
  });

export const orderCursor = (order: OrderRow) =>
  encodeCursor([order.createdAt.toISOString(), order.id]);

export const orderCursorShape = z
  .tuple([cursorDate, z.string()])
  .transform(([createdAt, id]): OrderCursor => ({ createdAt, id }));

export function findOrdersByIds(db: Db, ids: readonly string[]): Promise<OrderRow[]> {
  return db.order.findMany({ where: { id: { in: [...ids] } } });
}

export function findItemsByOrderIds(db: Db, orderIds: readonly string[]): Promise<OrderItemRow[]> {
  return db.orderItem.findMany({
    where: { orderId: { in: [...orderIds] } },
    orderBy: [{ orderId: 'asc' }, { position: 'asc' }],
  });
}

export function findHistoryByOrderIds(
  db: Db,
  orderIds: readonly string[],
): Promise<OrderStatusChangeRow[]> {
  return db.orderStatusChange.findMany({
    where: { orderId: { in: [...orderIds] } },
    orderBy: { id: 'asc' },
  });
}

export function findOrderByIdempotencyKey(db: Db, userId: string, idempotencyKey: string) {
  return db.order.findUnique({
    where: { userId_idempotencyKey: { userId, idempotencyKey } },
    include: { items: { orderBy: { position: 'asc' } } },
  });
}

/**
 * Stores a PENDING order, its lines, its first history entry and the request for its stock in
 * one transaction (a transactional outbox): never an order without its request, nor a request
 * for an order that was not saved.
 */
export function insertOrder(
  db: Db,
  order: { userId: string; idempotencyKey: string; lines: readonly OrderLine[] },
): Promise<OrderRow> {
  return db.$transaction(async (tx) => {
    const created = await tx.order.create({
      data: {
        userId: order.userId,
        idempotencyKey: order.idempotencyKey,
        items: {
          create: order.lines.map((line, position) => ({ ...line, position })),
        },
        history: { create: { status: 'PENDING' } },
      },
    });
    const lines = order.lines.map(({ productId, quantity }) => ({ productId, quantity }));
    await enqueueEvents(tx, [
      newEvent('ReserveStock', created.id, { orderId: created.id, lines }),
      statusChanged(created, 'PENDING'),
    ]);
    return created;
  });
}

/**
 * Moves an order from `from` to `to`, appends the change to its history and enqueues `events`
 * in the same transaction, or returns null when the order is no longer in `from` (a concurrent
 * change won).
 */
export function transitionOrder(
  db: Db | Tx,
  id: string,
  change: { from: OrderStatus; to: OrderStatus; reason?: string; events?: OutgoingEvent[] },
): Promise<OrderRow | null> {
  const apply = async (tx: Tx) => {
    const { count } = await tx.order.updateMany({
      where: { id, status: change.from },
      data: { status: change.to },
    });
    if (count === 0) return null;
    await tx.orderStatusChange.create({
      data: { orderId: id, status: change.to, reason: change.reason },
    });
    const order = await tx.order.findUniqueOrThrow({ where: { id } });
    await enqueueEvents(tx, [...(change.events ?? []), statusChanged(order, change.to)]);
    return order;
  };
  return '$transaction' in db ? db.$transaction(apply) : apply(db);
}

const before = (cursor: OrderCursor | undefined): Prisma.OrderWhereInput =>
  cursor
    ? {
        OR: [
          { createdAt: { lt: cursor.createdAt } },
          { createdAt: cursor.createdAt, id: { lt: cursor.id } },
        ],
      }
    : {};

/** Newest first; `limit` includes the look-ahead row. */
export function listOrders(db: Db, filter: OrderFilter, limit: number, after?: OrderCursor) {
  return db.order.findMany({
    where: { ...filter, ...before(after) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
}

export function countOrders(db: Db, filter: OrderFilter): Promise<number> {
  return db.order.count({ where: filter });
}

/**
 * One page of orders for each of many users in two queries, whatever their number: a window
 * function ranks each user's orders, then the page's rows are read by id.
 */
export async function listOrdersForUsers(
  db: Db,
  userIds: readonly string[],
  page: { status?: OrderStatus; limit: number; after?: OrderCursor },
): Promise<OrderRow[]> {
  const status = page.status
    ? Prisma.sql`AND status = ${page.status}::"OrderStatus"`
    : Prisma.empty;
  const cursor = page.after
    ? Prisma.sql`AND (created_at, id) < (${page.after.createdAt}, ${page.after.id})`
    : Prisma.empty;
  const ranked = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS rank
      FROM orders
      WHERE user_id = ANY(${[...userIds]}) ${status} ${cursor}
    ) AS page
    WHERE rank <= ${page.limit}`;
  const rows = await findOrdersByIds(
    db,
    ranked.map((row) => row.id),
  );
  return rows.sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
  );
}

export async function countOrdersForUsers(
  db: Db,
  userIds: readonly string[],
  status?: OrderStatus,
) {
  const groups = await db.order.groupBy({
    by: ['userId'],
    where: { userId: { in: [...userIds] }, status },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.userId, group._count._all]));
}
