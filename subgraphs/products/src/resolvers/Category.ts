import type { CategoryResolvers } from '../__generated__/resolvers-types.js';
import { categoryPage } from '../domain/product-listing.js';

export const Category: CategoryResolvers = {
  __resolveReference: ({ id }, { loaders }) =>
    typeof id === 'string' ? loaders.categoryById.load(id) : null,

  products: (category, args, { loaders }) =>
    loaders.productsByCategoryId.load(categoryPage(category.id, args)),
};
