import { isAdmin } from '@cartograph/shared';
import type { UserResolvers } from '../__generated__/resolvers-types.js';

/**
 * An account (and its email) is visible to the user themself and to admins only. Every way to a
 * User checks it: `me`, `user`, `users`, and here the references other subgraphs (or anyone
 * calling this subgraph directly) resolve through `_entities`.
 */
export const User: UserResolvers = {
  __resolveReference: ({ id }, { loaders, viewer }) =>
    typeof id === 'string' && (viewer?.id === id || isAdmin(viewer))
      ? loaders.userById.load(id)
      : null,
};
