import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, createLogger } from '@cartograph/shared';
import {
  createGraphQLClient,
  createTestDatabase,
  createTestRedisPrefix,
  generateSigningKeys,
  signTestToken,
  startSubgraphInProcess,
  testTokenSettings,
} from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersService } from '../../subgraphs/orders/src/service.js';
import { createProductsService } from '../../subgraphs/products/src/service.js';
import { createUsersService } from '../../subgraphs/users/src/service.js';
import { testUsersConfig } from '../../subgraphs/users/test/harness.js';
import { graphql } from './__generated__/gql.js';
import { startRouterInProcess } from './in-process.js';

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
 * The supergraph in one process over fresh databases and a Redis prefix of its own, each
 * subgraph built by its `createXService` and counting its resolvers' SQL, so the statements a
 * query costs can be read per subgraph.
 */
async function startCountedSupergraph() {
  const keys = generateSigningKeys();
  const redis = createTestRedisPrefix('n-plus-one');
  const [users, products, orders] = await Promise.all([
    createTestDatabase('users'),
    createTestDatabase('products'),
    createTestDatabase('orders'),
  ]);
  const run = (database: { url: string }) => ({
    databaseUrl: database.url,
    redisPrefix: redis.prefix,
    keys,
  });
  const subgraphs = {
    users: await startSubgraphInProcess(createUsersService, run(users), (config) =>
      testUsersConfig(config, keys),
    ),
    products: await startSubgraphInProcess(createProductsService, run(products)),
    orders: await startSubgraphInProcess(createOrdersService, run(orders)),
  };
  const router = await startRouterInProcess({
    subgraphUrls: {
      users: subgraphs.users.url,
      products: subgraphs.products.url,
      orders: subgraphs.orders.url,
    },
    verifyAccessToken: await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings),
    logger: createLogger('router', process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  return {
    request: createGraphQLClient(router.url),
    dbs: {
      users: subgraphs.users.service.db,
      products: subgraphs.products.service.db,
      orders: subgraphs.orders.service.db,
    },
    counters: {
      users: subgraphs.users.sql,
      products: subgraphs.products.sql,
      orders: subgraphs.orders.sql,
    },
    adminToken: await signTestToken(keys.privateKeyPem, { role: 'ADMIN' }),
    async stop() {
      await router.stop();
      await Promise.all(Object.values(subgraphs).map(({ service }) => service.stop()));
      await Promise.all([users, products, orders].map((database) => database.drop()));
      await redis.cleanup();
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
