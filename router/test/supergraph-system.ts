import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import {
  createGraphQLClient,
  createTestDatabase,
  createTestRedisPrefix,
  freePort,
  generateSigningKeys,
  signTestToken,
  startRedisServer,
  startService,
  testRedisUrl,
  type RunningService,
} from '@cartograph/shared/testing';
import { createDb as createProductsDb } from '../../subgraphs/products/src/data/db.js';

/**
 * Routers, orders and products replicas as separate processes on fixed ports, so a process can
 * be restarted at the same address, over fresh databases and a Redis prefix of their own. Router
 * `i` sends orders traffic to orders replica `i % orders`.
 */
export async function startSupergraphSystem(options: {
  routers: number;
  orders: number;
  routerEnv?: Record<string, string>;
  /** For every process: production mode, say. */
  env?: Record<string, string>;
  /** A Redis of the system's own, which a test may stop. */
  privateRedis?: boolean;
}) {
  const [productsDatabase, ordersDatabase] = await Promise.all([
    createTestDatabase('products'),
    createTestDatabase('orders'),
  ]);
  const prefix = createTestRedisPrefix('subscriptions');
  const redisServer = options.privateRedis ? await startRedisServer() : undefined;
  const keys = generateSigningKeys();
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    REDIS_URL: redisServer?.url ?? testRedisUrl,
    REDIS_PREFIX: prefix.prefix,
    ...options.env,
  };
  // This system runs no users subgraph. The router must still not look for one at the URL the
  // supergraph names (localhost:4001), where an `npm start` beside the tests would answer: it
  // gets a port of the system's own, on which every connection is closed unanswered.
  const usersAway = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => usersAway.listen(0, '127.0.0.1', resolve));
  const usersUrl = `http://127.0.0.1:${(usersAway.address() as AddressInfo).port}/graphql`;
  const productsPort = await freePort();
  const ordersPorts = await Promise.all(Array.from({ length: options.orders }, () => freePort()));
  const startOrders = (i: number) =>
    startService(`orders-${i}`, 'subgraphs/orders', {
      env: {
        ...common,
        ORDERS_PORT: String(ordersPorts[i]),
        ORDERS_DATABASE_URL: ordersDatabase.url,
      },
    });
  const startRouter = (i: number) =>
    startService(`router-${i}`, 'router', {
      env: {
        ...common,
        ROUTER_PORT: '0',
        USERS_SUBGRAPH_URL: usersUrl,
        PRODUCTS_SUBGRAPH_URL: `http://127.0.0.1:${productsPort}/graphql`,
        ORDERS_SUBGRAPH_URL: `http://127.0.0.1:${ordersPorts[i % options.orders]}/graphql`,
        RATE_LIMIT_PER_ADDRESS: '1000000',
        RATE_LIMIT_PER_USER: '1000000',
        MAX_WS_CONNECTIONS_PER_ADDRESS: '100000',
        MAX_SUBSCRIPTIONS_PER_ADDRESS: '100000',
        ...options.routerEnv,
      },
    });
  // Every port is chosen up front and the routers load a static supergraph: all start at once.
  const [products, orders, routers] = (await Promise.all([
    startService('products', 'subgraphs/products', {
      env: {
        ...common,
        PRODUCTS_PORT: String(productsPort),
        PRODUCTS_DATABASE_URL: productsDatabase.url,
      },
    }),
    Promise.all(Array.from({ length: options.orders }, (_, i) => startOrders(i))),
    Promise.all(Array.from({ length: options.routers }, (_, i) => startRouter(i))),
  ])) as [RunningService, (RunningService | undefined)[], (RunningService | undefined)[]];
  const productsDb = createProductsDb(productsDatabase.url);

  return {
    routers,
    orders,
    routerUrl: (i: number) => `${routers[i]!.url}/graphql`,
    productsUrl: `http://127.0.0.1:${productsPort}/graphql`,
    redisServer,
    /** A router's /ready: its status and, when not ready, the checks that failed. */
    async readiness(i: number) {
      const response = await fetch(`${routers[i]!.url}/ready`);
      const body = (await response.json()) as { failing?: string[] };
      return { status: response.status, failing: body.failing ?? [] };
    },
    wsUrl: (i: number) => `${routers[i]!.url.replace('http', 'ws')}/graphql`,
    request: (i: number) => createGraphQLClient(`${routers[i]!.url}/graphql`),
    token: (role: 'CUSTOMER' | 'ADMIN', sub: string = randomUUID()) =>
      signTestToken(keys.privateKeyPem, { role, sub }),
    createProduct: (stock = 100, description?: string) =>
      productsDb.product.create({
        data: {
          sku: `SUB-${randomUUID()}`,
          name: 'Subscribed product',
          priceCents: 500,
          stock,
          description,
        },
      }),

    /** A gauge's value from a process's /metrics. */
    async gauge(service: RunningService, name: string) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `));
      return line ? Number(line.split(' ').at(-1)) : Number.NaN;
    },

    async restartOrders(i: number) {
      await orders[i]!.stop();
      orders[i] = await startOrders(i);
    },

    async stop() {
      await Promise.all([...routers, ...orders, products].map((service) => service?.stop()));
      await productsDb.$disconnect();
      await prefix.cleanup().catch(() => undefined);
      await redisServer?.stop();
      await new Promise((resolve) => usersAway.close(resolve));
      await Promise.all([productsDatabase.drop(), ordersDatabase.drop()]);
    },
  };
}

export type SupergraphSystem = Awaited<ReturnType<typeof startSupergraphSystem>>;
