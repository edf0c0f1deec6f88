import type { ProductResolvers } from '../__generated__/resolvers-types.js';

export const Product: ProductResolvers = {
  // Archived products resolve too: orders placed before the archive still show them.
  __resolveReference: ({ id }, { loaders }) =>
    // A representation's id comes as any JSON; only a string can name a row.
    typeof id === 'string' ? loaders.productById.load(id) : null,
  price: (product) => ({ amountCents: product.priceCents, currency: product.currency }),
  inStock: (product) => product.stock > 0,
  category: (product, _args, { loaders }) =>
    product.categoryId ? loaders.categoryById.load(product.categoryId) : null,
};
