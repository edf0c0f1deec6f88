import { isAdmin, toConnection } from '@cartograph/shared';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { listCategories } from '../data/category-store.js';
import { countProducts, listProducts, productCursor } from '../data/product-store.js';
import { productPage, productWhere } from '../domain/product-listing.js';

export const Query: QueryResolvers = {
  product: async (_parent, { id }, { loaders, viewer }) => {
    const product = await loaders.productById.load(id);
    return product && (product.archivedAt === null || isAdmin(viewer)) ? product : null;
  },

  products: async (_parent, { first, after, filter, sort }, { db }) => {
    const order = sort ?? 'NEWEST';
    const page = productPage({ first, after }, order, productWhere(filter));
    const [rows, totalCount] = await Promise.all([
      listProducts(db, page),
      countProducts(db, page.where),
    ]);
    return toConnection(rows, page.size, totalCount, (row) => productCursor(order, row));
  },

  categories: (_parent, _args, { db }) => listCategories(db),
};
