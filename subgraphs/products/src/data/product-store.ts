import { encodeCursor, enqueueEvents, newEvent } from '@cartograph/shared';
import { Prisma, type Product } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type ProductRow = Product;

export type ProductSort = 'NEWEST' | 'NAME_ASC' | 'PRICE_ASC' | 'PRICE_DESC';

/** Each sort is a keyset: its column, then `id` in the same direction to break ties. */
export const sorts = {
  NEWEST: { field: 'createdAt', direction: 'desc' },
  NAME_ASC: { field: 'name', direction: 'asc' },
  PRICE_ASC: { field: 'priceCents', direction: 'asc' },
  PRICE_DESC: { field: 'priceCents', direction: 'desc' },
} as const satisfies Record<ProductSort, { field: keyof Product; direction: 'asc' | 'desc' }>;

export type SortValue = Date | string | number;

/** A Date as the UTC wall-clock time Prisma stores in `timestamp(3)` columns. */
const utc = (date: Date) => Prisma.sql`(${date.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** The cursor of a row in a sort: the sort's name, its column's value, the id. */
export function productCursor(sort: ProductSort, row: ProductRow) {
  const value = row[sorts[sort].field];
  return encodeCursor([sort, value instanceof Date ? value.toISOString() : value, row.id]);
}

export interface ProductPage {
  where: Prisma.ProductWhereInput;
  sort: ProductSort;
  /** Includes the look-ahead row. */
  limit: number;
  after?: { value: SortValue; id: string };
}

/** One page of products in keyset order: never OFFSET, so deep pages cost what the first does. */
export function listProducts(db: Db, page: ProductPage): Promise<ProductRow[]> {
  const { field, direction } = sorts[page.sort];
  const beyond = direction === 'asc' ? 'gt' : 'lt';
  const after: Prisma.ProductWhereInput = page.after
    ? {
        OR: [
          { [field]: { [beyond]: page.after.value } },
          { [field]: page.after.value, id: { [beyond]: page.after.id } },
        ],
      }
    : {};
  return db.product.findMany({
    where: { AND: [page.where, after] },
    orderBy: [{ [field]: direction }, { id: direction }],
    take: page.limit,
  });
}

export function countProducts(db: Db, where: Prisma.ProductWhereInput): Promise<number> {
  return db.product.count({ where });
}

/**
 * A page of live products, newest first, for each of many categories in two queries whatever
 * their number: a window function ranks each category's products, then the rows are read by id.
 * `limit` includes the look-ahead row.
 */
export async function listProductsForCategories(
  db: Db,
  categoryIds: readonly string[],
  limit: number,
  after?: { createdAt: Date; id: string },
): Promise<ProductRow[]> {
  const cursor = after
    ? Prisma.sql`AND (created_at, id) < (${utc(after.createdAt)}, ${after.id})`
    : Prisma.empty;
  const ranked = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM (
      SELECT id, category_id,
        row_number() OVER (PARTITION BY category_id ORDER BY created_at DESC, id DESC) AS rank
      FROM products
      WHERE category_id = ANY(${[...categoryIds]}) AND archived_at IS NULL ${cursor}
    ) AS ranked
    WHERE rank <= ${limit}
    ORDER BY category_id, rank`;
  const ids = ranked.map((row) => row.id);
  const byId = new Map((await findProductsByIds(db, ids)).map((row) => [row.id, row]));
  return ranked.flatMap((row) => byId.get(row.id) ?? []);
}

/** Live products per category, for the connections of `listProductsForCategories`. */
export async function countProductsForCategories(db: Db, categoryIds: readonly string[]) {
  const groups = await db.product.groupBy({
    by: ['categoryId'],
    where: { categoryId: { in: [...categoryIds] }, archivedAt: null },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.categoryId, group._count._all]));
}

/** Archived ones included: old orders still resolve their products. */
export function findProductsByIds(db: Db, ids: readonly string[]): Promise<ProductRow[]> {
  return db.product.findMany({ where: { id: { in: [...ids] } } });
}

export interface NewProduct {
  sku: string;
  name: string;
  description: string | null;
  priceCents: number;
  stock: number;
  categoryId: string | null;
}

/** A stock level change, as every follower of `stock:changes` receives it. */
export const stockChanged = (productId: string, stock: number) =>
  newEvent('StockChanged', productId, { productId, stock, at: new Date().toISOString() });

/** Creates a product, the ledger row and the stock event for its initial stock, atomically. */
export function insertProduct(db: Db, product: NewProduct): Promise<ProductRow> {
  return db.$transaction(async (tx) => {
    const created = await tx.product.create({
      data: {
        ...product,
        movements: {
          create: { delta: product.stock, stockAfter: product.stock, reason: 'created' },
        },
      },
    });
    await enqueueEvents(tx, [stockChanged(created.id, created.stock)]);
    return created;
  });
}

/** The changed product, or null when there is no such product. */
export async function updateProduct(
  db: Db,
  id: string,
  changes: Partial<Pick<NewProduct, 'name' | 'description' | 'priceCents' | 'categoryId'>>,
): Promise<ProductRow | null> {
  const [updated] = await db.product.updateManyAndReturn({ where: { id }, data: changes });
  return updated ?? null;
}

/** Archives a product; false when there is no such product. Archiving twice changes nothing. */
export async function archiveProduct(db: Db, id: string): Promise<boolean> {
  const { count } = await db.product.updateMany({
    where: { id, archivedAt: null },
    data: { archivedAt: new Date() },
  });
  return count === 1 || (await db.product.count({ where: { id } })) === 1;
}

export type StockAdjustment =
  | { ok: true; product: ProductRow }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'below-zero' | 'overflow'; stock: number };

/**
 * Adds `delta` to a product's stock in one conditional UPDATE, so concurrent adjustments can
 * never take it below 0 (or past int4), and writes the ledger row in the same transaction.
 */
export function adjustProductStock(
  db: Db,
  id: string,
  delta: number,
  reason: string | null,
): Promise<StockAdjustment> {
  return db.$transaction(async (tx) => {
    // updated_at holds UTC wall-clock time, as Prisma writes every timestamp.
    const updated = await tx.$queryRaw<{ stock: number }[]>`
      UPDATE products SET stock = stock + ${delta}::int, updated_at = now() AT TIME ZONE 'UTC'
      WHERE id = ${id} AND stock::bigint + ${delta}::bigint BETWEEN 0 AND 2147483647
      RETURNING stock`;
    if (updated.length === 0) {
      const current = await tx.product.findUnique({ where: { id }, select: { stock: true } });
      if (!current) return { ok: false, reason: 'missing' };
      return {
        ok: false,
        reason: current.stock + delta < 0 ? 'below-zero' : 'overflow',
        stock: current.stock,
      };
    }
    const stock = updated[0]!.stock;
    await tx.stockMovement.create({ data: { productId: id, delta, stockAfter: stock, reason } });
    await enqueueEvents(tx, [stockChanged(id, stock)]);
    return { ok: true, product: await tx.product.findUniqueOrThrow({ where: { id } }) };
  });
}
