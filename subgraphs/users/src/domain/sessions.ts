import { createHash, randomBytes } from 'node:crypto';
import { accessTokenAlgorithm, unauthenticated, type TokenSettings } from '@cartograph/shared';
import { SignJWT, type CryptoKey } from 'jose';
import type { Db } from '../data/db.js';
import {
  findRefreshToken,
  insertTokenFamily,
  revokeTokenFamily,
  rotateRefreshToken,
} from '../data/token-store.js';
import { findUsersByIds, type UserRow } from '../data/user-store.js';

export interface SessionConfig extends TokenSettings {
  signingKey: CryptoKey;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
}

export interface AuthPayloadRow {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserRow;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function newRefreshToken(config: SessionConfig) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.refreshTokenTtlDays * 86_400_000);
  return { token, tokenHash: hashToken(token), expiresAt };
}

async function signAccessToken(user: UserRow, config: SessionConfig) {
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: accessTokenAlgorithm, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${config.accessTokenTtlSeconds}s`)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(config.signingKey);
}

async function payload(user: UserRow, refreshToken: string, config: SessionConfig) {
  return {
    accessToken: await signAccessToken(user, config),
    refreshToken,
    expiresIn: config.accessTokenTtlSeconds,
    user,
  };
}

/** Login or registration: a new token family and its first pair of tokens. */
export async function startSession(
  db: Db,
  user: UserRow,
  config: SessionConfig,
): Promise<AuthPayloadRow> {
  const next = newRefreshToken(config);
  await insertTokenFamily(db, user.id, next.tokenHash, next.expiresAt);
  return payload(user, next.token, config);
}

const invalidRefreshToken = () => unauthenticated('Invalid refresh token');

/**
 * Exchanges a refresh token for a new pair. A token is good once: presenting one that was
 * already rotated means it leaked, so its whole family is revoked.
 */
export async function rotateSession(
  db: Db,
  token: string,
  config: SessionConfig,
): Promise<AuthPayloadRow> {
  const stored = await findRefreshToken(db, hashToken(token));
  if (!stored || stored.family.revokedAt || stored.expiresAt <= new Date()) {
    throw invalidRefreshToken();
  }
  if (stored.usedAt) {
    await revokeTokenFamily(db, stored.familyId);
    throw invalidRefreshToken();
  }
  const [user] = await findUsersByIds(db, [stored.family.userId]);
  if (!user) throw invalidRefreshToken();
  const next = newRefreshToken(config);
  if (!(await rotateRefreshToken(db, stored, next))) {
    await revokeTokenFamily(db, stored.familyId);
    throw invalidRefreshToken();
  }
  return payload(user, next.token, config);
}

/** Logout: revokes the family of the given token. False when the token is unknown. */
export async function endSession(db: Db, token: string): Promise<boolean> {
  const stored = await findRefreshToken(db, hashToken(token));
  if (!stored) return false;
  await revokeTokenFamily(db, stored.familyId);
  return true;
}
