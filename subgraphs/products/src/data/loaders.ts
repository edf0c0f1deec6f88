import { toConnection, type Connection } from '@cartograph/shared';
import DataLoader from 'dataloader';
import { findCategoriesByIds, type CategoryRow } from './category-store.js';
import type { Db } from './db.js';
import {
  countProductsForCategories,
  findProductsByIds,
  listProductsForCategories,
  productCursor,
  type ProductRow,
} from './product-store.js';

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K) {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

function byId<Row extends { id: string }>(load: (ids: readonly string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** One category's page of live products, newest first. */
export interface CategoryProductsKey {
  categoryId: string;
  first: number;
  after?: { createdAt: Date; id: string };
}

const pageOf = ({ first, after }: CategoryProductsKey) =>
  `${first}|${after?.createdAt.toISOString() ?? ''}|${after?.id ?? ''}`;
const keyOf = (key: CategoryProductsKey) => `${key.categoryId}|${pageOf(key)}`;

/** Categories asked for with the same page arguments share one query and one count. */
async function loadCategoryProducts(db: Db, keys: readonly CategoryProductsKey[]) {
  const pages = new Map<string, Connection<ProductRow>>();
  for (const group of groupBy(keys, pageOf).values()) {
    const { first, after } = group[0]!;
    const categoryIds = group.map((key) => key.categoryId);
    const [rows, counts] = await Promise.all([
      listProductsForCategories(db, categoryIds, first + 1, after),
      countProductsForCategories(db, categoryIds),
    ]);
    const byCategory = groupBy(rows, (row) => row.categoryId);
    for (const key of group) {
      const own = byCategory.get(key.categoryId) ?? [];
      const connection = toConnection(own, first, counts.get(key.categoryId) ?? 0, (row) =>
        productCursor('NEWEST', row),
      );
      pages.set(keyOf(key), connection);
    }
  }
  return keys.map((key) => pages.get(keyOf(key))!);
}

/**
 * Per-request batching: every Product or Category reference, and every category's product list,
 * costs one query per request (two for the lists: rows and counts), whatever their number.
 */
export function createLoaders(db: Db) {
  return {
    productById: byId<ProductRow>((ids) => findProductsByIds(db, ids)),
    categoryById: byId<CategoryRow>((ids) => findCategoriesByIds(db, ids)),
    productsByCategoryId: new DataLoader<CategoryProductsKey, Connection<ProductRow>, string>(
      (keys) => loadCategoryProducts(db, keys),
      { cacheKeyFn: keyOf },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
