import { checkPostgres, createTestDatabase, testPostgresUrl } from '@cartograph/shared/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    usersDatabaseUrl: string;
  }
}

/** One migrated throwaway database per run; every test makes its own unique data in it. */
export default async function setup(project: TestProject) {
  await checkPostgres(`${testPostgresUrl}/postgres`);
  const database = await createTestDatabase('users');
  project.provide('usersDatabaseUrl', database.url);
  return () => database.drop();
}
