import {
  checkPostgres,
  checkRedis,
  createTestDatabase,
  createTestRedisPrefix,
  testPostgresUrl,
  testRedisUrl,
} from '@cartograph/shared/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    usersDatabaseUrl: string;
    redisPrefix: string;
  }
}

/** One migrated throwaway database and one Redis prefix per run; tests make their own data. */
export default async function setup(project: TestProject) {
  await checkPostgres(`${testPostgresUrl}/postgres`);
  await checkRedis(testRedisUrl);
  const database = await createTestDatabase('users');
  const redis = createTestRedisPrefix('users');
  project.provide('usersDatabaseUrl', database.url);
  project.provide('redisPrefix', redis.prefix);
  return async () => {
    await database.drop();
    await redis.cleanup();
  };
}
