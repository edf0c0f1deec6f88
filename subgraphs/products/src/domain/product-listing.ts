import { badInput, cursorDate, decodeCursor, pageSize } from '@cartograph/shared';
import { z } from 'zod';
import type { ProductFilter } from '../__generated__/resolvers-types.js';
import type { CategoryProductsKey } from '../data/loaders.js';
import type { ProductPage, ProductSort } from '../data/product-store.js';
import type { Prisma } from '../generated/prisma/client.js';

/** LIKE treats `%`, `_` and `\` specially; a shopper's search is literal text. */
const literal = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** What a listing may show: live products matching the filter. */
export function productWhere(filter: ProductFilter | null | undefined): Prisma.ProductWhereInput {
  const { categoryId, search, minPriceCents, maxPriceCents, inStock } = filter ?? {};
  if (minPriceCents != null && maxPriceCents != null && minPriceCents > maxPriceCents) {
    throw badInput('filter.minPriceCents', 'must not be above maxPriceCents');
  }
  const text = search?.trim();
  if (text && text.length > 200) throw badInput('filter.search', 'must be at most 200 characters');
  const contains = text ? { contains: literal(text), mode: 'insensitive' as const } : undefined;
  return {
    archivedAt: null,
    ...(categoryId != null && { categoryId }),
    ...(contains && { OR: [{ name: contains }, { description: contains }, { sku: contains }] }),
    ...((minPriceCents != null || maxPriceCents != null) && {
      priceCents: {
        ...(minPriceCents != null && { gte: minPriceCents }),
        ...(maxPriceCents != null && { lte: maxPriceCents }),
      },
    }),
    ...(inStock != null && { stock: inStock ? { gt: 0 } : 0 }),
  };
}

/** A price inside a cursor: an int4 like the column, so a forged cursor cannot overflow it. */
const cursorPrice = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);

const cursorShapes = {
  NEWEST: z.tuple([z.literal('NEWEST'), cursorDate, z.string()]),
  NAME_ASC: z.tuple([z.literal('NAME_ASC'), z.string(), z.string()]),
  PRICE_ASC: z.tuple([z.literal('PRICE_ASC'), cursorPrice, z.string()]),
  PRICE_DESC: z.tuple([z.literal('PRICE_DESC'), cursorPrice, z.string()]),
};

/** A page request from connection arguments; a cursor from another sort is BAD_USER_INPUT. */
export function productPage(
  args: { first?: number | null; after?: string | null },
  sort: ProductSort,
  where: Prisma.ProductWhereInput,
): ProductPage & { size: number } {
  const size = pageSize(args.first);
  const cursor = args.after ? decodeCursor(args.after, cursorShapes[sort]) : undefined;
  return {
    where,
    sort,
    size,
    limit: size + 1,
    after: cursor && { value: cursor[1], id: cursor[2] },
  };
}

/** A category's page request: its live products, newest first, with the same cursor rules. */
export function categoryPage(
  categoryId: string,
  args: { first?: number | null; after?: string | null },
): CategoryProductsKey {
  const cursor = args.after ? decodeCursor(args.after, cursorShapes.NEWEST) : undefined;
  return {
    categoryId,
    first: pageSize(args.first),
    after: cursor && { createdAt: cursor[1], id: cursor[2] },
  };
}
