import { randomBytes, randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  createTestRedisPrefix,
  envName,
  freePort,
  generateSigningKeys,
  listSubgraphs,
  startService,
  testRedisUrl,
  type RunningService,
} from '@cartograph/shared/testing';
import { seedProducts } from '../../prisma/products/seed.js';
import { seedUsers } from '../../prisma/users/seed.js';
import { createDb as createProductsDb } from '../../subgraphs/products/src/data/db.js';
import { createDb as createUsersDb } from '../../subgraphs/users/src/data/db.js';

/**
 * The supergraph as `npm start` runs it, on throwaway databases and free ports, so a benchmark
 * never touches development data and can run beside `npm start`.
 */
export async function startBenchStack(extraEnv: Record<string, string> = {}) {
  const databases: Record<string, Awaited<ReturnType<typeof createTestDatabase>>> = {};
  for (const { name } of listSubgraphs()) databases[name] = await createTestDatabase(name);
  const keys = generateSigningKeys();
  const admin = { email: 'admin@cartograph.dev', password: randomUUID() };
  const customer = { email: 'customer@cartograph.dev', password: randomUUID() };
  const usersDb = createUsersDb(databases.users!.url);
  const productsDb = createProductsDb(databases.products!.url);
  await seedUsers(usersDb, 4, {
    SEED_ADMIN_PASSWORD: admin.password,
    SEED_CUSTOMER_PASSWORD: customer.password,
  });
  await seedProducts(productsDb);
  await Promise.all([usersDb.$disconnect(), productsDb.$disconnect()]);

  const redis = createTestRedisPrefix('bench');
  const internalSecret = randomBytes(32).toString('hex');
  const common = {
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: redis.prefix,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    APOLLO_TELEMETRY_DISABLED: 'true',
    INTERNAL_SECRET: internalSecret,
    ...extraEnv,
  };
  const running: RunningService[] = [];
  // `listening` is logged at info; production services log warn and above, so watch for it.
  const start = async (name: string, workspace: string, env: Record<string, string>) => {
    const service = await startService(name, workspace, {
      env: { ...common, LOG_LEVEL: 'info', ...env },
      // BENCH_CPU_PROFILE_DIR=dir writes a .cpuprofile per service, for Chrome DevTools.
      nodeArgs: process.env.BENCH_CPU_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
        : [],
    });
    running.push(service);
    return service;
  };
  // Production serves /metrics only on a listener of its own; the bench reads products' queries.
  const productsMetricsPort = await freePort();
  /** What a subgraph needs beside the common variables. */
  const ownEnv: Record<string, Record<string, string>> = {
    users: { JWT_PRIVATE_KEY: keys.privateKeyPem, BCRYPT_COST: '4' },
    products: { METRICS_PORT: String(productsMetricsPort) },
  };
  const subgraphs: Record<string, RunningService> = {};
  for (const [name, database] of Object.entries(databases)) {
    subgraphs[name] = await start(name, `subgraphs/${name}`, {
      [envName(name, 'PORT')]: '0',
      [envName(name, 'DATABASE_URL')]: database.url,
      ...ownEnv[name],
    });
  }
  const subgraphUrls = {
    ROUTER_PORT: '0',
    ...Object.fromEntries(
      Object.entries(subgraphs).map(([name, service]) => [
        envName(name, 'SUBGRAPH_URL'),
        `${service.url}/graphql`,
      ]),
    ),
  };
  // Every protection on; the rate limits count every request in Redis but, with one client
  // address driving thousands of requests a second, sit above what the bench sends.
  const router = await start('router', 'router', {
    ...subgraphUrls,
    RATE_LIMIT_PER_ADDRESS: '1000000000',
    RATE_LIMIT_PER_USER: '1000000000',
    // On too, far above the bench's thousands of subscribers from this machine's one address.
    MAX_WS_CONNECTIONS_PER_ADDRESS: '1000000',
    MAX_SUBSCRIPTIONS_PER_ADDRESS: '1000000',
  });
  // The same router with operation limits, rate limits and APQ off, to price them.
  const unprotectedRouter = await start('router-unprotected', 'router', {
    ...subgraphUrls,
    OPERATION_LIMITS: 'false',
    RATE_LIMIT_PER_ADDRESS: '0',
    RATE_LIMIT_PER_USER: '0',
    PERSISTED_QUERIES: 'false',
  });
  const { users, products, orders } = subgraphs as Record<
    'users' | 'products' | 'orders',
    RunningService
  >;
  return {
    urls: {
      router: `${router.url}/graphql`,
      unprotectedRouter: `${unprotectedRouter.url}/graphql`,
      users: `${users.url}/graphql`,
      products: `${products.url}/graphql`,
      orders: `${orders.url}/graphql`,
    },
    processes: { users, products, orders, router, unprotectedRouter },
    metricsUrls: { products: `http://127.0.0.1:${productsMetricsPort}` },
    databaseUrls: {
      users: databases.users!.url,
      products: databases.products!.url,
      orders: databases.orders!.url,
    },
    admin,
    customer,
    /** Signs requests straight to subgraphs, as the router does. */
    internalSecret,
    /** Signs tokens for made-up users, as the users subgraph would. */
    privateKeyPem: keys.privateKeyPem,
    async stop() {
      await Promise.all(running.map((service) => service.stop()));
      await Promise.all(Object.values(databases).map((database) => database.drop()));
      await redis.cleanup();
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;
