import { toConnection, type Connection } from '@cartograph/shared';
import DataLoader from 'dataloader';
import type { OrderStatus } from '../generated/prisma/client.js';
import type { Db } from './db.js';
import {
  countOrdersForUsers,
  findHistoryByOrderIds,
  findItemsByOrderIds,
  findOrdersByIds,
  listOrdersForUsers,
  orderCursor,
  type OrderCursor,
  type OrderItemRow,
  type OrderRow,
  type OrderStatusChangeRow,
} from './order-store.js';

/** One user's page of orders; users asked for with the same page arguments share one query. */
export interface UserOrdersKey {
  userId: string;
  first: number;
  after?: OrderCursor;
  status?: OrderStatus;
}

const pageKey = ({ first, after, status }: UserOrdersKey) =>
  `${first}|${after?.createdAt.toISOString() ?? ''}|${after?.id ?? ''}|${status ?? ''}`;

function groupBy<T, K>(items: readonly T[], key: (item: T) => K) {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

async function loadUserOrders(db: Db, keys: readonly UserOrdersKey[]) {
  const pages = new Map<string, Connection<OrderRow>>();
  for (const group of groupBy(keys, pageKey).values()) {
    const { first, after, status } = group[0]!;
    const userIds = group.map((key) => key.userId);
    const [rows, counts] = await Promise.all([
      listOrdersForUsers(db, userIds, { status, limit: first + 1, after }),
      countOrdersForUsers(db, userIds, status),
    ]);
    const byUser = groupBy(rows, (row) => row.userId);
    for (const key of group) {
      const connection = toConnection(
        byUser.get(key.userId) ?? [],
        first,
        counts.get(key.userId) ?? 0,
        orderCursor,
      );
      pages.set(`${key.userId}|${pageKey(key)}`, connection);
    }
  }
  return keys.map((key) => pages.get(`${key.userId}|${pageKey(key)}`)!);
}

/** Per-request batching: entity references and list children cost one query per request. */
export function createLoaders(db: Db) {
  return {
    orderById: new DataLoader<string, OrderRow | null>(async (ids) => {
      const byId = new Map((await findOrdersByIds(db, ids)).map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    itemsByOrderId: new DataLoader<string, OrderItemRow[]>(async (ids) => {
      const byOrder = groupBy(await findItemsByOrderIds(db, ids), (row) => row.orderId);
      return ids.map((id) => byOrder.get(id) ?? []);
    }),
    historyByOrderId: new DataLoader<string, OrderStatusChangeRow[]>(async (ids) => {
      const byOrder = groupBy(await findHistoryByOrderIds(db, ids), (row) => row.orderId);
      return ids.map((id) => byOrder.get(id) ?? []);
    }),
    ordersByUser: new DataLoader<UserOrdersKey, Connection<OrderRow>, string>(
      (keys) => loadUserOrders(db, keys),
      { cacheKeyFn: (key) => `${key.userId}|${pageKey(key)}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
