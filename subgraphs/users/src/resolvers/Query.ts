import {
  cursorDate,
  decodeCursor,
  encodeCursor,
  isAdmin,
  notFound,
  pageSize,
  requireAdmin,
  requireViewer,
  toConnection,
} from '@cartograph/shared';
import { z } from 'zod';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { countUsers, listUsers } from '../data/user-store.js';

const userCursor = z.tuple([cursorDate, z.string()]);

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer, loaders }) => (viewer ? loaders.userById.load(viewer.id) : null),

  user: async (_parent, { id }, { viewer, loaders }) => {
    const caller = requireViewer(viewer);
    // Someone else's account is indistinguishable from a missing one.
    const user = caller.id === id || isAdmin(caller) ? await loaders.userById.load(id) : null;
    if (!user) throw notFound('User');
    return user;
  },

  users: async (_parent, { first, after }, { viewer, db }) => {
    requireAdmin(viewer);
    const size = pageSize(first);
    const cursor = after ? decodeCursor(after, userCursor) : undefined;
    const [rows, totalCount] = await Promise.all([
      listUsers(db, size + 1, cursor && { createdAt: cursor[0], id: cursor[1] }),
      countUsers(db),
    ]);
    return toConnection(rows, size, totalCount, (row) =>
      encodeCursor([row.createdAt.toISOString(), row.id]),
    );
  },
};
