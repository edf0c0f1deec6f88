import { createPublicKey } from 'node:crypto';
import { startService, testRedisUrl } from '@cartograph/shared/testing';
import { inject } from 'vitest';

/** What every service of the run is started with: its keys, secret, Redis and log level. */
export const runEnv = () => ({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
  HOST: '127.0.0.1',
  JWT_PUBLIC_KEY: createPublicKey(inject('privateKeyPem'))
    .export({ type: 'spki', format: 'pem' })
    .toString(),
  INTERNAL_SECRET: inject('internalSecret'),
  REDIS_URL: testRedisUrl,
});

/**
 * One more router in front of the run's subgraphs, with settings of its own. Its counters and
 * caches live under the run's Redis prefix, so the run's cleanup takes them.
 */
export function startRouter(name: string, env: Record<string, string> = {}) {
  const subgraphUrls = inject('subgraphUrls');
  return startService(name, 'router', {
    env: {
      ...runEnv(),
      ROUTER_PORT: '0',
      REDIS_PREFIX: `${inject('redisPrefix')}${name}:`,
      USERS_SUBGRAPH_URL: subgraphUrls.users,
      PRODUCTS_SUBGRAPH_URL: subgraphUrls.products,
      ORDERS_SUBGRAPH_URL: subgraphUrls.orders,
      ...env,
    },
  });
}
