import { badInput, mapStream } from '@cartograph/shared';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import type { StockChangeRow } from '../events/stock-changes.js';

export const Subscription: SubscriptionResolvers = {
  stockChanged: {
    subscribe: (_parent, { productIds }, context) => {
      if (productIds && (productIds.length < 1 || productIds.length > 100)) {
        throw badInput('productIds', 'give 1 to 100 ids, or leave it out for every product');
      }
      const changes = context.stockChanges.listen(productIds ?? ['*']);
      // A subscription is one long request: each event brings the loaders its fields read
      // through, made for that event and shared by every subscriber to it, so what a change
      // costs the database does not grow with its subscribers.
      return mapStream(changes, (change) => {
        context.loaders = change.loaders;
        return change;
      });
    },
    resolve: (change: StockChangeRow) => change,
  },
};
