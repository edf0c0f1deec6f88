import { defaultOperationLimits, listen, type AccessTokenVerifier } from '@cartograph/shared';
import type { Logger } from 'pino';
import { composeSupergraph } from '../../schema/compose.js';
import { createRouter } from '../src/server.js';

/**
 * The router in this process, over subgraphs a test started in it too (each subgraph's
 * `createXService`), for tests that look inside: SQL counts, spans. The end-to-end stack's
 * processes cannot be looked into.
 */
export async function startRouterInProcess(options: {
  subgraphUrls: Record<string, string>;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
}) {
  const router = createRouter({
    ...options,
    supergraphSdl: (await composeSupergraph()).supergraphSdl,
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
    introspection: false,
    corsOrigins: '*',
  });
  await router.apollo.start();
  const port = await listen(router.httpServer, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => router.stop() };
}
