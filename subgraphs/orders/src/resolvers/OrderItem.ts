import type { OrderItemResolvers } from '../__generated__/resolvers-types.js';

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.productId }),
  unitPrice: (item) =>
    item.unitPriceCents === null
      ? null
      : { amountCents: item.unitPriceCents, currency: item.currency ?? 'USD' },
};
