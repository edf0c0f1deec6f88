import type { Role, User } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/** A user as resolvers see it; the password hash never leaves the data layer. */
export type UserRow = Omit<User, 'passwordHash'>;

const columns = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function findUsersByIds(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  return db.user.findMany({ where: { id: { in: [...ids] } }, select: columns });
}

/** The stored credentials for a normalized email, for login only. */
export function findCredentialsByEmail(db: Db, email: string) {
  return db.user.findUnique({ where: { email }, select: { ...columns, passwordHash: true } });
}

export function insertUser(
  db: Db,
  data: { email: string; name: string; passwordHash: string; role?: Role },
): Promise<UserRow> {
  return db.user.create({ data, select: columns });
}

export function updateUser(
  db: Db,
  id: string,
  data: { email?: string; name?: string },
): Promise<UserRow> {
  return db.user.update({ where: { id }, data, select: columns });
}

/** Newest first, keyset-paginated on (createdAt, id); `limit` includes the look-ahead row. */
export function listUsers(db: Db, limit: number, after?: { createdAt: Date; id: string }) {
  return db.user.findMany({
    where: after && {
      OR: [
        { createdAt: { lt: after.createdAt } },
        { createdAt: after.createdAt, id: { lt: after.id } },
      ],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: columns,
  });
}

export function countUsers(db: Db): Promise<number> {
  return db.user.count();
}
