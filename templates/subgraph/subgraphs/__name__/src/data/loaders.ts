import DataLoader from 'dataloader';
import type { Db } from './db.js';
import { findExamplesByIds, type ExampleRow } from './example-store.js';

/** Per-request batching: every example a request reads, by id, costs one query. */
export function createLoaders(db: Db) {
  return {
    exampleById: new DataLoader<string, ExampleRow | null>(async (ids) => {
      const rows = await findExamplesByIds(db, ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
