import type { Category } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type CategoryRow = Category;

export function findCategoriesByIds(db: Db, ids: readonly string[]): Promise<CategoryRow[]> {
  return db.category.findMany({ where: { id: { in: [...ids] } } });
}

export function listCategories(db: Db): Promise<CategoryRow[]> {
  return db.category.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}

export function insertCategory(db: Db, data: { name: string; slug: string }): Promise<CategoryRow> {
  return db.category.create({ data });
}
