import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  __name__Example: (_parent, { id }, { loaders }) => loaders.exampleById.load(id),
};
