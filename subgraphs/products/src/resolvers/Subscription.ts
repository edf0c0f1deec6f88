import { badInput, mapStream } from '@cartograph/shared';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { createLoaders } from '../data/loaders.js';
import type { StockChangeRow } from '../events/stock-changes.js';

export const Subscription: SubscriptionResolvers = {
  stockChanged: {
    subscribe: (_parent, { productIds }, context) => {
      if (productIds && (productIds.length < 1 || productIds.length > 100)) {
        throw badInput('productIds', 'give 1 to 100 ids, or leave it out for every product');
      }
      const changes = context.stockChanges.listen(productIds ?? ['*']);
      // A subscription is one long request: each event gets fresh loaders, or the product
      // resolved with it would be the one cached at the first event.
      return mapStream(changes, (change) => {
        context.loaders = createLoaders(context.db);
        return change;
      });
    },
    resolve: (change: StockChangeRow) => change,
  },
};
