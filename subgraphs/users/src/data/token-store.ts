import type { Db } from './db.js';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Starts a login session: a new family holding its first refresh token. */
export async function insertTokenFamily(
  db: Db,
  userId: string,
  tokenHash: string,
  expiresAt: Date,
) {
  await db.tokenFamily.create({
    data: { userId, tokens: { create: { tokenHash, expiresAt } } },
  });
}

/** A refresh token with what decides whether it may still be used. */
export function findRefreshToken(db: Db, tokenHash: string) {
  return db.refreshToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      familyId: true,
      expiresAt: true,
      usedAt: true,
      successorSealed: true,
      family: { select: { userId: true, revokedAt: true } },
    },
  });
}

export type StoredRefreshToken = NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>;

/**
 * Rotates a token: marks it used, keeps its successor sealed beside it (or null) and adds the
 * successor to the family; or does nothing and returns false when a concurrent call used it
 * first. That call's row lock makes this one wait until it has committed.
 */
export function rotateRefreshToken(
  db: Db,
  token: { id: string; familyId: string },
  next: { tokenHash: string; expiresAt: Date; sealed: Uint8Array<ArrayBuffer> | null },
): Promise<boolean> {
  return db.$transaction(async (tx: Tx) => {
    const { count } = await tx.refreshToken.updateMany({
      where: { id: token.id, usedAt: null },
      data: { usedAt: new Date(), successorSealed: next.sealed },
    });
    if (count === 0) return false;
    await tx.refreshToken.create({
      data: { familyId: token.familyId, tokenHash: next.tokenHash, expiresAt: next.expiresAt },
    });
    return true;
  });
}

export async function revokeTokenFamily(db: Db, familyId: string): Promise<void> {
  await db.tokenFamily.updateMany({
    where: { id: familyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
