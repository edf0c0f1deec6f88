import { badInput, conflict, notFound, requireAdmin } from '@cartograph/shared';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { insertCategory } from '../data/category-store.js';
import {
  adjustProductStock,
  archiveProduct,
  insertProduct,
  updateProduct,
} from '../data/product-store.js';
import {
  checkDescription,
  checkPrice,
  checkReason,
  checkSku,
  checkSlug,
  checkStock,
  checkText,
} from '../domain/product-input.js';

const prismaCode = (error: unknown) => (error as { code?: string } | null)?.code;

/** A category id given in input must name a category: BAD_USER_INPUT otherwise. */
async function checkCategory(context: Context, categoryId: string | null | undefined) {
  if (categoryId == null) return null;
  if (!(await context.loaders.categoryById.load(categoryId))) {
    throw badInput('categoryId', 'no such category');
  }
  return categoryId;
}

export const Mutation: MutationResolvers = {
  createProduct: async (_parent, { input }, context) => {
    requireAdmin(context.viewer);
    const product = {
      sku: checkSku(input.sku),
      name: checkText('name', input.name, 200),
      description: checkDescription(input.description),
      priceCents: checkPrice(input.priceCents),
      stock: checkStock(input.stock),
      categoryId: await checkCategory(context, input.categoryId),
    };
    const created = await insertProduct(context.db, product).catch((error: unknown) => {
      throw prismaCode(error) === 'P2002'
        ? conflict(`A product with SKU ${product.sku} already exists`)
        : error;
    });
    context.events.kick();
    return created;
  },

  updateProduct: async (_parent, { id, input }, context) => {
    requireAdmin(context.viewer);
    if (!Object.values(input).some((value) => value !== undefined)) {
      throw badInput('input', 'give at least one field to change');
    }
    if (input.name === null) throw badInput('name', 'cannot be removed');
    if (input.priceCents === null) throw badInput('priceCents', 'cannot be removed');
    const changes = {
      ...(input.name !== undefined && { name: checkText('name', input.name, 200) }),
      ...(input.description !== undefined && { description: checkDescription(input.description) }),
      ...(input.priceCents !== undefined && { priceCents: checkPrice(input.priceCents) }),
      ...(input.categoryId !== undefined && {
        categoryId: await checkCategory(context, input.categoryId),
      }),
    };
    const product = await updateProduct(context.db, id, changes);
    if (!product) throw notFound('Product');
    return product;
  },

  deleteProduct: async (_parent, { id }, { viewer, db }) => {
    requireAdmin(viewer);
    if (!(await archiveProduct(db, id))) throw notFound('Product');
    return true;
  },

  adjustStock: async (_parent, { productId, delta, reason }, { viewer, db, events }) => {
    requireAdmin(viewer);
    if (delta === 0) throw badInput('delta', 'must not be 0');
    const result = await adjustProductStock(db, productId, delta, checkReason(reason));
    if (result.ok) {
      events.kick();
      return result.product;
    }
    if (result.reason === 'missing') throw notFound('Product');
    if (result.reason === 'below-zero') {
      throw conflict(`Stock cannot go below 0: ${result.stock} in stock, delta ${delta}`);
    }
    throw badInput('delta', `would take the stock past ${2 ** 31 - 1}`);
  },

  createCategory: async (_parent, { input }, { viewer, db }) => {
    requireAdmin(viewer);
    const category = { name: checkText('name', input.name, 100), slug: checkSlug(input.slug) };
    return insertCategory(db, category).catch((error: unknown) => {
      throw prismaCode(error) === 'P2002'
        ? conflict(`A category with slug ${category.slug} already exists`)
        : error;
    });
  },
};
