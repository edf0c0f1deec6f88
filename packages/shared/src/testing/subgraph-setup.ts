import type { TestProject } from 'vitest/node';
import { createTestDatabase, testPostgresUrl } from './database.js';
import { checkPostgres, checkRedis } from './preflight.js';
import { createTestRedisPrefix, testRedisUrl } from './redis.js';

/**
 * Every subgraph's vitest `globalSetup` (`subgraphTestConfig(name)` in vitest.shared.ts), for
 * the subgraph its project is named after: fails fast, saying how to start them, when Postgres
 * or Redis is down; then one migrated throwaway database and one Redis prefix per run, dropped
 * afterwards (`inject('databaseUrl')`, `inject('redisPrefix')`). Tests make their own data.
 */
export default async function setup(project: TestProject) {
  const subgraph = project.name;
  if (!subgraph)
    throw new Error('Name the vitest project after its subgraph: subgraphTestConfig(name)');
  await checkPostgres(`${testPostgresUrl}/postgres`);
  await checkRedis(testRedisUrl);
  const database = await createTestDatabase(subgraph);
  const redis = createTestRedisPrefix(subgraph);
  project.provide('databaseUrl', database.url);
  project.provide('redisPrefix', redis.prefix);
  return async () => {
    await database.drop();
    await redis.cleanup();
  };
}
