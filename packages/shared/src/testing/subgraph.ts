// Loads vitest's types for the augmentation below in programs that import nothing else of it.
import type {} from 'vitest';
import type { SubgraphConfig } from '../server/subgraph-service.js';
import { createGraphQLClient } from './client.js';
import { generateSigningKeys, testTokenSettings, type SigningKeys } from './keys.js';
import { createStatementCounter } from './query-counter.js';
import { testRedisUrl } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A subgraph's throwaway database for this run (its global setup, `subgraph-setup.ts`). */
    databaseUrl: string;
    redisPrefix: string;
  }
}

/** A test run's database and Redis prefix for one subgraph. */
export interface TestRun {
  databaseUrl: string;
  redisPrefix: string;
}

/** What the shared subgraph setup provided this run: pass vitest's `inject`. */
export const subgraphTestRun = (
  inject: (key: 'databaseUrl' | 'redisPrefix') => string,
): TestRun => ({
  databaseUrl: inject('databaseUrl'),
  redisPrefix: inject('redisPrefix'),
});

/**
 * A subgraph's configuration for in-process tests: a free port on 127.0.0.1, the run's database
 * and Redis prefix, the run's public key, development mode, quiet logs (TEST_LOG_LEVEL shows
 * them), and a stalled event claimed again after 1 s instead of 5. A test adds the subgraph's
 * own settings on top.
 */
export function testSubgraphConfig(run: TestRun, keys: { publicKeyPem: string }): SubgraphConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    databaseUrl: run.databaseUrl,
    redisUrl: testRedisUrl,
    redisPrefix: run.redisPrefix,
    publicKeyPem: keys.publicKeyPem,
    tokens: testTokenSettings,
    http: { production: false, corsOrigins: '*' },
    eventClaimIdleMs: 1000,
  };
}

/** Where a subgraph started in process on `port` answers, and a typed client of it. */
export function servedAt(port: number) {
  const url = `http://127.0.0.1:${port}/graphql`;
  return { port, url, wsUrl: `ws://127.0.0.1:${port}/graphql`, request: createGraphQLClient(url) };
}

/**
 * Starts a subgraph in this process as its entry file would, with test settings: the run's
 * signing keys (fresh ones unless given), and a counter of its resolvers' SQL statements (`sql`).
 * `config` adds the subgraph's own settings to the shared ones. Stop it with `service.stop()`.
 */
export async function startSubgraphInProcess<
  TConfig extends SubgraphConfig,
  TService extends { start(): Promise<number> },
>(
  create: (config: TConfig) => Promise<TService>,
  run: TestRun & { keys?: SigningKeys },
  config: (shared: SubgraphConfig, keys: SigningKeys) => TConfig = (shared) => shared as TConfig,
) {
  const keys = run.keys ?? generateSigningKeys();
  const sql = createStatementCounter();
  const shared = { ...testSubgraphConfig(run, keys), statementCounter: sql.onStatement };
  const service = await create(config(shared, keys));
  return { service, keys, sql, ...servedAt(await service.start()) };
}
