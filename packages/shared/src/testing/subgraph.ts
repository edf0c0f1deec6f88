import type { SubgraphConfig } from '../server/subgraph-service.js';
import { createGraphQLClient } from './client.js';
import { testTokenSettings } from './keys.js';
import { testRedisUrl } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A subgraph's throwaway database for this run (its global setup, `subgraph-setup.ts`). */
    databaseUrl: string;
    redisPrefix: string;
  }
}

/**
 * A subgraph's configuration for in-process tests: a free port on 127.0.0.1, this run's
 * database and Redis prefix, the run's public key, development mode and quiet logs
 * (TEST_LOG_LEVEL shows them). A test adds the subgraph's own settings on top.
 */
export function testSubgraphConfig(run: {
  databaseUrl: string;
  redisPrefix: string;
  publicKeyPem: string;
}): SubgraphConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    databaseUrl: run.databaseUrl,
    redisUrl: testRedisUrl,
    redisPrefix: run.redisPrefix,
    publicKeyPem: run.publicKeyPem,
    tokens: testTokenSettings,
    http: { production: false, corsOrigins: '*' },
  };
}

/** Where a subgraph started in process on `port` answers, and a typed client of it. */
export function servedAt(port: number) {
  const url = `http://127.0.0.1:${port}/graphql`;
  return { port, url, wsUrl: `ws://127.0.0.1:${port}/graphql`, request: createGraphQLClient(url) };
}
