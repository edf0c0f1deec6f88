import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, createLogger } from '@cartograph/shared';
import {
  createGraphQLClient,
  createStatementCounter,
  createTestDatabase,
  createTestRedisPrefix,
  generateSigningKeys,
  servedAt,
  signTestToken,
  testSubgraphConfig,
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
  const counters = {
    users: createStatementCounter(),
    products: createStatementCounter(),
    orders: createStatementCounter(),
  };
  const run = (database: { url: string }) => ({
    databaseUrl: database.url,
    redisPrefix: redis.prefix,
    publicKeyPem: keys.publicKeyPem,
  });
  const services = {
    users: await createUsersService({
      ...testUsersConfig(run(users), keys),
      statementCounter: counters.users.onStatement,
    }),
    products: await createProductsService({
      ...testSubgraphConfig(run(products)),
      statementCounter: counters.products.onStatement,
    }),
    orders: await createOrdersService({
      ...testSubgraphConfig(run(orders)),
      statementCounter: counters.orders.onStatement,
    }),
  };
  const subgraphUrls: Record<string, string> = {};
  for (const [name, service] of Object.entries(services))
    subgraphUrls[name] = servedAt(await service.start()).url;
  const router = await startRouterInProcess({
    subgraphUrls,
    verifyAccessToken: await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings),
    logger: createLogger('router', process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  return {
    request: createGraphQLClient(router.url),
    dbs: { users: services.users.db, products: services.products.db, orders: services.orders.db },
    counters,
    adminToken: await signTestToken(keys.privateKeyPem, { role: 'ADMIN' }),
    async stop() {
      await router.stop();
      await Promise.all(Object.values(services).map((service) => service.stop()));
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
