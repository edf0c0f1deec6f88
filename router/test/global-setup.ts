import { randomBytes, randomUUID } from 'node:crypto';
import {
  checkPostgres,
  checkRedis,
  createTestDatabase,
  createTestRedisPrefix,
  envName,
  generateSigningKeys,
  listSubgraphs,
  startService,
  testPostgresUrl,
  testRedisUrl,
  type RunningService,
} from '@cartograph/shared/testing';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import { seedUsers } from '../../prisma/users/seed.js';
import { createDb as createUsersDb } from '../../subgraphs/users/src/data/db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    routerUrl: string;
    /** Every subgraph's, by name; the tests know these three. */
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
 * The whole supergraph for the end-to-end tests: a throwaway database per subgraph, fresh
 * signing keys, every subgraph and the router, each its own process on a free port, as
 * `npm start` runs them. Only the demo accounts are seeded; every test makes the rest of its own
 * data.
 */
export default async function setup(project: TestProject) {
  await checkPostgres(`${testPostgresUrl}/postgres`);
  await checkRedis(testRedisUrl);
  const redis = createTestRedisPrefix('e2e');
  const subgraphs = listSubgraphs().map(({ name }) => name);
  const databases = Object.fromEntries(
    await Promise.all(
      subgraphs.map(async (name) => [name, await createTestDatabase(name)] as const),
    ),
  );
  const keys = generateSigningKeys();
  const admin = { email: 'admin@cartograph.dev', password: randomUUID() };
  const customer = { email: 'customer@cartograph.dev', password: randomUUID() };
  const usersDb = createUsersDb(databases.users!.url);
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
    await Promise.all(Object.values(databases).map((database) => database.drop()));
    await redis.cleanup();
  };
  try {
    /** What a subgraph needs beside the common variables: users signs tokens and hashes. */
    const ownEnv: Record<string, Record<string, string>> = {
      users: {
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        BCRYPT_COST: '4',
        // Every test comes from 127.0.0.1: per-address limits stay on, far above the suite.
        LOGIN_FAILURES_PER_ADDRESS: '100000',
        REGISTRATIONS_PER_ADDRESS: '100000',
        PASSWORD_HASH_PER_ADDRESS: '64',
        PASSWORD_HASH_QUEUE_LIMIT: '10000',
      },
    };
    const started = await Promise.all(
      subgraphs.map((name) =>
        start(name, `subgraphs/${name}`, {
          [envName(name, 'PORT')]: '0',
          [envName(name, 'DATABASE_URL')]: databases[name]!.url,
          ...ownEnv[name],
        }),
      ),
    );
    const subgraphUrls = Object.fromEntries(
      started.map((service) => [service.name, `${service.url}/graphql`]),
    );
    const router = await start('router', 'router', {
      ROUTER_PORT: '0',
      ...Object.fromEntries(
        subgraphs.map((name) => [envName(name, 'SUBGRAPH_URL'), subgraphUrls[name]!]),
      ),
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
    project.provide('subgraphUrls', subgraphUrls as ProvidedContext['subgraphUrls']);
    project.provide(
      'databaseUrls',
      Object.fromEntries(
        Object.entries(databases).map(([name, database]) => [name, database.url]),
      ) as ProvidedContext['databaseUrls'],
    );
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
