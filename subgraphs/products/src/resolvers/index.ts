import { DateTimeScalar } from '@cartograph/shared';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { Subscription } from './Subscription.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Product,
  Category,
};
