import { randomBytes, randomUUID } from 'node:crypto';
import {
  checkPostgres,
  checkRedis,
  createTestDatabase,
  createTestRedisPrefix,
  generateSigningKeys,
  startService,
  testPostgresUrl,
  testRedisUrl,
  type RunningService,
} from '@cartograph/shared/testing';
import type { TestProject } from 'vitest/node';
import { seedUsers } from '../../prisma/users/seed.js';
import { createDb as createUsersDb } from '../../subgraphs/users/src/data/db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    routerUrl: string;
    subgraphUrls: Record<'users' | 'products' | 'orders', string>;
    databaseUrls: Record<'users' | 'products' | 'orders', string>;
    privateKeyPem: string;
    redisPrefix: string;
    /** Signs direct requests to the stack's subgraphs, which refuse unsigned ones. */
    internalSecret: string;
    admin: { email: string; password: string };
    customer: { email: string; password: string };
  }
}

/**
 * The whole supergraph for the end-to-end tests: three throwaway databases, fresh signing keys,
 * the three subgraphs and the router, each its own process on a free port, as `npm start` runs
 * them. Only the admin account is seeded; every test makes the rest of its own data.
 */
export default async function setup(project: TestProject) {
  await checkPostgres(`${testPostgresUrl}/postgres`);
  await checkRedis(testRedisUrl);
  const redis = createTestRedisPrefix('e2e');
  const [users, products, orders] = await Promise.all([
    createTestDatabase('users'),
    createTestDatabase('products'),
    createTestDatabase('orders'),
  ]);
  const keys = generateSigningKeys();
  const admin = { email: 'admin@cartograph.dev', password: randomUUID() };
  const customer = { email: 'customer@cartograph.dev', password: randomUUID() };
  const usersDb = createUsersDb(users.url);
  await seedUsers(usersDb, 4, {
    SEED_ADMIN_PASSWORD: admin.password,
    SEED_CUSTOMER_PASSWORD: customer.password,
  });
  await usersDb.$disconnect();

  const internalSecret = randomBytes(32).toString('hex');
  const common = {
    NODE_ENV: 'test',
    INTERNAL_SECRET: internalSecret,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    APOLLO_TELEMETRY_DISABLED: 'true',
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: redis.prefix,
    STOCK_RETRY_AFTER_MS: '3000',
  };
  const running: RunningService[] = [];
  const start = async (name: string, workspace: string, env: Record<string, string>) => {
    const service = await startService(name, workspace, { env: { ...common, ...env } });
    running.push(service);
    return service;
  };
  const teardown = async () => {
    await Promise.all(running.map((service) => service.stop()));
    await Promise.all([users, products, orders].map((database) => database.drop()));
    await redis.cleanup();
  };
  try {
    const [usersSubgraph, productsSubgraph, ordersSubgraph] = await Promise.all([
      start('users', 'subgraphs/users', {
        USERS_PORT: '0',
        USERS_DATABASE_URL: users.url,
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        BCRYPT_COST: '4',
        // Every test comes from 127.0.0.1: per-address limits stay on, far above the suite.
        LOGIN_FAILURES_PER_ADDRESS: '100000',
        REGISTRATIONS_PER_ADDRESS: '100000',
        PASSWORD_HASH_PER_ADDRESS: '64',
        PASSWORD_HASH_QUEUE_LIMIT: '10000',
      }),
      start('products', 'subgraphs/products', {
        PRODUCTS_PORT: '0',
        PRODUCTS_DATABASE_URL: products.url,
      }),
      start('orders', 'subgraphs/orders', { ORDERS_PORT: '0', ORDERS_DATABASE_URL: orders.url }),
    ]);
    const subgraphUrls = {
      users: `${usersSubgraph.url}/graphql`,
      products: `${productsSubgraph.url}/graphql`,
      orders: `${ordersSubgraph.url}/graphql`,
    };
    const router = await start('router', 'router', {
      ROUTER_PORT: '0',
      USERS_SUBGRAPH_URL: subgraphUrls.users,
      PRODUCTS_SUBGRAPH_URL: subgraphUrls.products,
      ORDERS_SUBGRAPH_URL: subgraphUrls.orders,
      // Tests share one address; the limits stay on, far above what the suite sends.
      RATE_LIMIT_PER_ADDRESS: '1000000',
      // 200 orders at once on a loaded 2-core machine can queue longer than production's 10 s.
      SUBGRAPH_TIMEOUT_MS: '30000',
      RATE_LIMIT_PER_USER: '1000000',
      APQ_REGISTRATIONS_PER_ADDRESS: '1000000',
      MAX_WS_CONNECTIONS_PER_ADDRESS: '100000',
      MAX_SUBSCRIPTIONS_PER_ADDRESS: '100000',
    });
    project.provide('routerUrl', router.url);
    project.provide('subgraphUrls', subgraphUrls);
    project.provide('databaseUrls', {
      users: users.url,
      products: products.url,
      orders: orders.url,
    });
    project.provide('privateKeyPem', keys.privateKeyPem);
    project.provide('redisPrefix', redis.prefix);
    project.provide('internalSecret', internalSecret);
    project.provide('admin', admin);
    project.provide('customer', customer);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
