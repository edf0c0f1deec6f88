import { parseEvent, streams } from '@cartograph/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInventorySystem, type InventorySystem } from './inventory-system.js';

/** Each test stops and starts processes of the system, which under a full parallel run is slow. */
const systemTestTimeoutMs = 120_000;

/**
 * One inventory system for the file, two products replicas and one orders replica. Orders never
 * republishes a reservation here (STOCK_RETRY_AFTER_MS is long), so a lost answer stays lost
 * unless the cancel itself gives the stock back.
 */
let system: InventorySystem;
let redis: Redis;
beforeAll(async () => {
  system = await startInventorySystem({
    products: 2,
    orders: 1,
    env: { STOCK_RETRY_AFTER_MS: '600000' },
  });
  redis = new Redis(system.redisUrl);
}, systemTestTimeoutMs);
afterAll(async () => {
  redis?.disconnect();
  await system?.stop();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stream = (name: string) => `${system.prefix}${name}`;

async function eventsAbout(name: string, key: string) {
  return (await redis.xrange(stream(name), '-', '+'))
    .map(([entry, fields]) => ({ entry, fields, event: parseEvent(fields) }))
    .filter(({ event }) => !('error' in event) && event.key === key);
}

const published = (orderId: string, type: string) =>
  until(
    () => system.ordersDb.outboxEvent.findFirst({ where: { key: orderId, type } }),
    (event) => event?.publishedAt != null,
  );

const stockOf = async (productId: string) =>
  (await system.productsDb.product.findUniqueOrThrow({ where: { id: productId } })).stock;

const order = (id: string) => system.ordersDb.order.findUniqueOrThrow({ where: { id } });

const fieldsOf = (reply: unknown[]) => new Map(reply.map((value, i) => [value, reply[i + 1]]));

/** Whether products' group has read every stock request and acknowledged all it read. */
async function requestsHandled() {
  const key = stream(streams.stockRequests);
  const info = fieldsOf((await redis.xinfo('STREAM', key)) as unknown[]);
  const groups = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map(fieldsOf);
  const products = groups.find((group) => group.get('name') === 'products');
  return (
    products?.get('pending') === 0 &&
    products.get('last-delivered-id') === info.get('last-generated-id')
  );
}

const stopProducts = () =>
  Promise.all([system.stopReplica('products', 0), system.stopReplica('products', 1)]);
const startProducts = () =>
  Promise.all([system.startReplica('products', 0), system.startReplica('products', 1)]);

describe('cancelling an order that is still PENDING', () => {
  it(
    'gives back the stock products reserved although the answer never reached orders',
    async () => {
      const product = await system.createProduct(10);
      await stopProducts();
      const id = await system.placeOrder([{ productId: product.id, quantity: 3 }]);
      await published(id, 'ReserveStock');
      await system.stopReplica('orders', 0);
      await startProducts();
      await until(
        () =>
          system.productsDb.outboxEvent.findFirst({ where: { key: id, type: 'StockReserved' } }),
        (event) => event?.publishedAt != null,
      );
      // The answer is lost before orders reads it, as when a stream is trimmed or Redis restarts.
      await redis.xtrim(stream(streams.stockReplies), 'MAXLEN', 0);
      await system.startReplica('orders', 0);
      const held = await stockOf(product.id);

      const status = await system.cancelOrder(id);

      const after = await until(
        () => order(id),
        (row) => row.stockReleasedAt !== null,
      );
      expect({ held, status, orderStatus: after.status }).toEqual({
        held: 7,
        status: 'CANCELLED',
        orderStatus: 'CANCELLED',
      });
      expect(after.stockReleasedAt).toBeInstanceOf(Date);
      expect(await stockOf(product.id)).toBe(10);
      expect(await system.accounted([product.id])).toEqual(new Map([[product.id, 10]]));
    },
    systemTestTimeoutMs,
  );

  it(
    'reserves nothing when its request reaches products only after the cancel',
    async () => {
      const product = await system.createProduct(10);
      await stopProducts();
      const id = await system.placeOrder([{ productId: product.id, quantity: 2 }]);
      await published(id, 'ReserveStock');
      // The request is held back: products sees the cancel's release first.
      const [request] = await eventsAbout(streams.stockRequests, id);
      await redis.xdel(stream(streams.stockRequests), request!.entry);
      await system.cancelOrder(id);
      await startProducts();
      await until(
        () => order(id),
        (row) => row.stockReleasedAt !== null,
      );

      await redis.xadd(stream(streams.stockRequests), '*', ...request!.fields);

      const replies = await until(
        () => eventsAbout(streams.stockReplies, id),
        (events) => events.length >= 2,
      );
      expect(replies.map(({ event }) => event)).toMatchObject([
        { type: 'StockReleased' },
        {
          type: 'StockRejected',
          payload: { reasons: [{ productId: product.id, reason: 'order cancelled' }] },
        },
      ]);
      expect(await stockOf(product.id)).toBe(10);
      expect(
        await system.productsDb.stockMovement.count({ where: { productId: product.id } }),
      ).toBe(0);
      expect(await order(id)).toMatchObject({ status: 'CANCELLED' });
    },
    systemTestTimeoutMs,
  );

  it(
    'never leaves units held when cancels race their reservations, round after round',
    async () => {
      const product = await system.createProduct(200);
      const ids: string[] = [];

      for (let round = 0; round < 3; round++) {
        const placed = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const id = await system.placeOrder([{ productId: product.id, quantity: 2 }]);
            await system.cancelOrder(id);
            return id;
          }),
        );
        ids.push(...placed);
      }

      const rows = await until(
        () => system.ordersDb.order.findMany({ where: { id: { in: ids } } }),
        (found) => found.every((row) => row.stockReleasedAt !== null),
      );
      // Every request handled, late reservations included, before stock is read.
      const drained = await until(requestsHandled, Boolean);
      expect(drained).toBe(true);
      expect(rows.map((row) => row.status)).toEqual(Array(30).fill('CANCELLED'));
      expect(await stockOf(product.id)).toBe(200);
      expect(await system.accounted([product.id])).toEqual(new Map([[product.id, 200]]));
    },
    systemTestTimeoutMs,
  );
});
