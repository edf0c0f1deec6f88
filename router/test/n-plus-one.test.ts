import { randomUUID } from 'node:crypto';
import {
  accessTokenAlgorithm,
  createAccessTokenVerifier,
  createEventRuntime,
  createLogger,
  createMetrics,
  createRedis,
  defaultOperationLimits,
  EventHub,
  listen,
} from '@cartograph/shared';
import {
  createCountingPool,
  createGraphQLClient,
  createTestDatabase,
  generateSigningKeys,
  signTestToken,
  testRedisUrl,
  testTokenSettings,
} from '@cartograph/shared/testing';
import { importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeSupergraph } from '../../schema/compose.js';
import { createDb as createOrdersDb } from '../../subgraphs/orders/src/data/db.js';
import { createServer as createOrders } from '../../subgraphs/orders/src/server.js';
import { createDb as createProductsDb } from '../../subgraphs/products/src/data/db.js';
import { createServer as createProducts } from '../../subgraphs/products/src/server.js';
import { createDb as createUsersDb } from '../../subgraphs/users/src/data/db.js';
import { createLoginThrottle } from '../../subgraphs/users/src/domain/login-throttle.js';
import { createPasswordHashGate } from '../../subgraphs/users/src/domain/password-hash-gate.js';
import { createRegistrationLimit } from '../../subgraphs/users/src/domain/registration-limit.js';
import { createServer as createUsers } from '../../subgraphs/users/src/server.js';
import { createRouter } from '../src/server.js';
import { graphql } from './__generated__/gql.js';

const NestedOrdersDocument = graphql(`
  query NestedOrders {
    orders(first: 50) {
      edges {
        node {
          user {
            name
          }
          items {
            product {
              name
            }
          }
        }
      }
    }
  }
`);

/**
 * The supergraph in one process over fresh databases, each subgraph's pool counting its SQL,
 * so the statements a query costs can be read per subgraph.
 */
async function startCountedSupergraph() {
  const keys = generateSigningKeys();
  const verifyAccessToken = await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings);
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const base = { logger, production: false, corsOrigins: '*' };
  const databases = await Promise.all([
    createTestDatabase('users'),
    createTestDatabase('products'),
    createTestDatabase('orders'),
  ]);
  const [usersSql, productsSql, ordersSql] = databases.map((database) =>
    createCountingPool(database.url),
  );
  const dbs = {
    users: createUsersDb(usersSql!.pool),
    products: createProductsDb(productsSql!.pool),
    orders: createOrdersDb(ordersSql!.pool),
  };
  // Only queries run here; the event runtimes are what mutations would publish through.
  const events = (name: string, db: typeof dbs.products | typeof dbs.orders) =>
    createEventRuntime({ name, redisUrl: testRedisUrl, prefix: inject('redisPrefix'), db, logger });
  const usersRedis = createRedis(testRedisUrl, logger, 'users-login');
  const runtimes = {
    products: events('products', dbs.products),
    orders: events('orders', dbs.orders),
  };
  const subgraphs = {
    users: createUsers({
      ...base,
      metrics: createMetrics('users'),
      deps: {
        db: dbs.users,
        verifyAccessToken,
        bcryptCost: 4,
        sessions: {
          ...testTokenSettings,
          signingKey: await importPKCS8(keys.privateKeyPem, accessTokenAlgorithm),
          accessTokenTtlSeconds: 900,
          refreshTokenTtlDays: 1,
          reuseGraceSeconds: 10,
        },
        loginThrottle: createLoginThrottle({
          redis: usersRedis,
          prefix: inject('redisPrefix'),
          logger,
          maxFailures: 10,
          maxFailuresPerAddress: 100,
          windowSeconds: 900,
          lockoutSeconds: 900,
        }),
        registrationLimit: createRegistrationLimit({
          redis: usersRedis,
          prefix: inject('redisPrefix'),
          maxPerAddress: 20,
          windowSeconds: 3600,
        }),
        passwordHashGate: createPasswordHashGate({ concurrency: 2, perAddress: 2, queueLimit: 16 }),
      },
    }),
    products: createProducts({
      ...base,
      metrics: createMetrics('products'),
      deps: {
        db: dbs.products,
        verifyAccessToken,
        events: runtimes.products,
        stockChanges: new EventHub(),
      },
    }),
    orders: createOrders({
      ...base,
      metrics: createMetrics('orders'),
      deps: {
        db: dbs.orders,
        verifyAccessToken,
        events: runtimes.orders,
        orderChanges: new EventHub(),
      },
    }),
  };
  const subgraphUrls: Record<string, string> = {};
  for (const [name, { apollo, httpServer }] of Object.entries(subgraphs)) {
    await apollo.start();
    subgraphUrls[name] = `http://127.0.0.1:${await listen(httpServer, 0, '127.0.0.1')}/graphql`;
  }
  const router = createRouter({
    ...base,
    supergraphSdl: (await composeSupergraph()).supergraphSdl,
    subgraphUrls,
    subgraphPool: { connections: 8, timeoutMs: 5000 },
    subscriptions: {
      queueLimit: 100,
      retryAttempts: 0,
      maxPerConnection: 100,
      maxConnectionsPerAddress: 0,
      maxPerAddress: 0,
    },
    limits: defaultOperationLimits,
    trustedProxies: 0,
    verifyAccessToken,
    introspection: false,
  });
  await router.apollo.start();
  const port = await listen(router.httpServer, 0, '127.0.0.1');
  return {
    request: createGraphQLClient(`http://127.0.0.1:${port}/graphql`),
    dbs,
    counters: { users: usersSql!, products: productsSql!, orders: ordersSql! },
    adminToken: await signTestToken(keys.privateKeyPem, { role: 'ADMIN' }),
    async stop() {
      await router.stop();
      for (const { apollo } of Object.values(subgraphs)) await apollo.stop();
      await Promise.all(Object.values(runtimes).map((runtime) => runtime.stop()));
      await usersRedis.quit();
      await Promise.all(Object.values(dbs).map((db) => db.$disconnect()));
      // Prisma leaves a pool it was given open.
      await Promise.all(Object.values(this.counters).map((counter) => counter.pool.end()));
      await Promise.all(databases.map((database) => database.drop()));
    },
  };
}

let stack: Awaited<ReturnType<typeof startCountedSupergraph>>;
beforeAll(async () => {
  stack = await startCountedSupergraph();
});
afterAll(() => stack?.stop());

/** Orders from distinct users, each with three lines of distinct products. */
async function addOrders(count: number) {
  for (let i = 0; i < count; i++) {
    const user = await stack.dbs.users.user.create({
      data: { email: `${randomUUID()}@example.test`, name: `User ${i}`, passwordHash: 'x' },
    });
    const products = await Promise.all(
      [0, 1, 2].map(() =>
        stack.dbs.products.product.create({
          data: {
            sku: `SKU-${randomUUID()}`,
            name: `Product ${randomUUID()}`,
            priceCents: 100,
            stock: 5,
          },
        }),
      ),
    );
    await stack.dbs.orders.order.create({
      data: {
        userId: user.id,
        idempotencyKey: randomUUID(),
        items: {
          create: products.map((product, position) => ({
            productId: product.id,
            quantity: 1,
            position,
          })),
        },
        history: { create: { status: 'PENDING' } },
      },
    });
  }
}

async function statementsPerSubgraph() {
  for (const counter of Object.values(stack.counters)) counter.reset();
  const { data, errors } = await stack.request(
    NestedOrdersDocument,
    {},
    { token: stack.adminToken },
  );
  expect(errors).toBeUndefined();
  return {
    orders: data!.orders.edges.length,
    statements: Object.fromEntries(
      Object.entries(stack.counters).map(([name, counter]) => [name, counter.count()]),
    ),
  };
}

describe('orders(first: 50) { user { name } items { product { name } } }', () => {
  it('costs a constant number of SQL statements per subgraph, whatever the number of orders', async () => {
    await addOrders(2);
    const few = await statementsPerSubgraph();
    await addOrders(48);

    const many = await statementsPerSubgraph();

    expect([few.orders, many.orders]).toEqual([2, 50]);
    expect(many.statements).toEqual(few.statements);
    expect(Object.values(few.statements).every((count) => count > 0)).toBe(true);
  });
});
