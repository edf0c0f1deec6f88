import { randomUUID } from 'node:crypto';
import {
  createGraphQLClient,
  createTestDatabase,
  createTestRedisPrefix,
  generateSigningKeys,
  signTestToken,
  startRedisServer,
  startService,
  testRedisUrl,
  type RunningService,
} from '@cartograph/shared/testing';
import { createDb as createOrdersDb } from '../../subgraphs/orders/src/data/db.js';
import { createDb as createProductsDb } from '../../subgraphs/products/src/data/db.js';
import { graphql } from './__generated__/gql.js';

const CancelDocument = graphql(`
  mutation SystemCancelOrder($id: ID!) {
    cancelOrder(id: $id) {
      status
    }
  }
`);

const PlaceOrderDocument = graphql(`
  mutation SystemPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`);

/** Statuses whose units are out of stock for good (or until a cancellation gives them back). */
const holding = ['CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED'] as const;

/**
 * The inventory flow on its own: products and orders replicas as separate processes over fresh
 * databases, one Redis (private when the test restarts it), no router or users subgraph. Orders
 * are placed straight at the orders replicas with tokens signed for the run.
 */
export async function startInventorySystem(options: {
  products: number;
  orders: number;
  privateRedis?: boolean;
  /** For every process, over the defaults: a longer STOCK_RETRY_AFTER_MS, say. */
  env?: Record<string, string>;
}) {
  const [productsDatabase, ordersDatabase] = await Promise.all([
    createTestDatabase('products'),
    createTestDatabase('orders'),
  ]);
  const redisServer = options.privateRedis ? await startRedisServer() : undefined;
  const prefix = createTestRedisPrefix('system');
  const keys = generateSigningKeys();
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    REDIS_URL: redisServer?.url ?? testRedisUrl,
    REDIS_PREFIX: prefix.prefix,
    STOCK_RETRY_AFTER_MS: '1500',
    ...options.env,
  };
  const startProducts = (i: number) =>
    startService(`products-${i}`, 'subgraphs/products', {
      env: { ...common, PRODUCTS_PORT: '0', PRODUCTS_DATABASE_URL: productsDatabase.url },
    });
  const startOrders = (i: number) =>
    startService(`orders-${i}`, 'subgraphs/orders', {
      env: { ...common, ORDERS_PORT: '0', ORDERS_DATABASE_URL: ordersDatabase.url },
    });
  const products: RunningService[] = [];
  const orders: RunningService[] = [];
  for (let i = 0; i < options.products; i++) products.push(await startProducts(i));
  for (let i = 0; i < options.orders; i++) orders.push(await startOrders(i));
  const productsDb = createProductsDb(productsDatabase.url);
  const ordersDb = createOrdersDb(ordersDatabase.url);
  const clients = orders.map((service) => createGraphQLClient(`${service.url}/graphql`));
  let next = 0;
  const adminToken = await signTestToken(keys.privateKeyPem, { sub: randomUUID(), role: 'ADMIN' });

  return {
    products,
    productsDb,
    ordersDb,
    redis: redisServer,
    redisUrl: common.REDIS_URL,
    prefix: prefix.prefix,

    async createProduct(stock: number) {
      return productsDb.product.create({
        data: { sku: `SYS-${randomUUID()}`, name: 'System test product', priceCents: 250, stock },
      });
    },

    /** Places an order at the next orders replica, round robin, as a fresh customer. */
    async placeOrder(lines: { productId: string; quantity: number }[]) {
      const client = clients[next++ % clients.length]!;
      const token = await signTestToken(keys.privateKeyPem, { sub: randomUUID() });
      const { data, errors } = await client(
        PlaceOrderDocument,
        { input: { items: lines, idempotencyKey: randomUUID() } },
        { token },
      );
      if (!data) throw new Error(`placeOrder failed: ${JSON.stringify(errors)}`);
      return data.placeOrder.id;
    },

    /** Waits until no order is PENDING any more; returns each order's status. */
    async settle(orderIds: string[], timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await ordersDb.order.findMany({
          where: { id: { in: orderIds } },
          select: { id: true, status: true },
        });
        if (rows.every((row) => row.status !== 'PENDING') || Date.now() > deadline) {
          return new Map(rows.map((row) => [row.id, row.status]));
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },

    /** Per product: stock now plus units held by orders, which must equal the initial stock. */
    async accounted(productIds: string[]) {
      const items = await ordersDb.orderItem.findMany({
        where: { productId: { in: productIds }, order: { status: { in: [...holding] } } },
        select: { productId: true, quantity: true },
      });
      const stock = await productsDb.product.findMany({
        where: { id: { in: productIds } },
        select: { id: true, stock: true },
      });
      return new Map(
        stock.map(({ id, stock: left }) => [
          id,
          left +
            items
              .filter((item) => item.productId === id)
              .reduce((sum, item) => sum + item.quantity, 0),
        ]),
      );
    },

    /** Cancels an order as an admin, at the first orders replica. */
    async cancelOrder(id: string) {
      const { data, errors } = await clients[0]!(CancelDocument, { id }, { token: adminToken });
      if (!data) throw new Error(`cancelOrder failed: ${JSON.stringify(errors)}`);
      return data.cancelOrder.status;
    },

    /** Stops a replica (SIGTERM); `startReplica` brings it back on a new port. */
    async stopReplica(kind: 'products' | 'orders', i: number) {
      await (kind === 'products' ? products : orders)[i]!.stop();
    },

    async startReplica(kind: 'products' | 'orders', i: number) {
      if (kind === 'products') {
        products[i] = await startProducts(i);
      } else {
        orders[i] = await startOrders(i);
        clients[i] = createGraphQLClient(`${orders[i].url}/graphql`);
      }
    },

    /** SIGKILL one products replica, then start it again. */
    async crashAndRestartProducts(i: number) {
      await products[i]!.kill();
      products[i] = await startProducts(i);
    },

    async stop() {
      await Promise.all([...products, ...orders].map((service) => service.stop()));
      await Promise.all([productsDb.$disconnect(), ordersDb.$disconnect()]);
      await redisServer?.stop();
      await prefix.cleanup().catch(() => undefined);
      await Promise.all([productsDatabase.drop(), ordersDatabase.drop()]);
    },
  };
}

export type InventorySystem = Awaited<ReturnType<typeof startInventorySystem>>;
