import type { StockChangeResolvers } from '../__generated__/resolvers-types.js';

export const StockChange: StockChangeResolvers = {
  product: async (change, _args, { loaders }) => {
    const product = await loaders.productById.load(change.productId);
    if (!product) throw new Error(`stock change for unknown product ${change.productId}`);
    return product;
  },
};
