import DataLoader from 'dataloader';
import type { Db } from './db.js';
import { findUsersByIds, type UserRow } from './user-store.js';

/** Per-request batching: every `User` reference in one request costs one query. */
export function createLoaders(db: Db) {
  return {
    userById: new DataLoader<string, UserRow | null>(async (ids) => {
      const rows = await findUsersByIds(db, ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
