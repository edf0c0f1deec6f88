import type { __Name__ExampleResolvers } from '../__generated__/resolvers-types.js';

export const __Name__Example: __Name__ExampleResolvers = {
  // A representation's id comes as any JSON; only a string can name a row.
  __resolveReference: ({ id }, { loaders }) =>
    typeof id === 'string' ? loaders.exampleById.load(id) : null,
};
