import { startRedisServer, startService } from '@cartograph/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runEnv, startRouter } from './extra-router.js';

/**
 * Streams and consumer groups carry no TTL; an `allkeys-*` eviction policy could drop them, and
 * events with them. A Redis of its own, so the machine's shared one keeps its configuration.
 */
let server: Awaited<ReturnType<typeof startRedisServer>>;
beforeAll(async () => {
  server = await startRedisServer();
  const admin = new Redis(server.url);
  await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  admin.disconnect();
});
afterAll(() => server?.stop());

describe('Redis eviction policy at start-up', () => {
  it('keeps the router and a subgraph from starting on an allkeys-* Redis', async () => {
    const [router, products] = await Promise.allSettled([
      startRouter('router-allkeys', { REDIS_URL: server.url }),
      startService('products-allkeys', 'subgraphs/products', {
        env: {
          ...runEnv(),
          REDIS_URL: server.url,
          PRODUCTS_PORT: '0',
          PRODUCTS_DATABASE_URL: inject('databaseUrls').products,
        },
      }),
    ]);

    for (const outcome of [router, products]) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(
        /exited \(1\) before listening[\s\S]*maxmemory-policy is allkeys-lru/,
      );
    }
  });
});
