import type { Example } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/** An example as resolvers see it. */
export type ExampleRow = Example;

export function findExamplesByIds(db: Db, ids: readonly string[]): Promise<ExampleRow[]> {
  return db.example.findMany({ where: { id: { in: [...ids] } } });
}
