import { createHash, randomBytes } from 'node:crypto';
import { accessTokenAlgorithm, unauthenticated, type TokenSettings } from '@cartograph/shared';
import { SignJWT, type CryptoKey } from 'jose';
import type { Db } from '../data/db.js';
import {
  findRefreshToken,
  insertTokenFamily,
  revokeTokenFamily,
  rotateRefreshToken,
  type StoredRefreshToken,
} from '../data/token-store.js';
import { findUsersByIds, type UserRow } from '../data/user-store.js';
import { openSuccessor, sealSuccessor } from './sealed-successor.js';

export interface SessionConfig extends TokenSettings {
  signingKey: CryptoKey;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** How long after rotation a token presented again still gets its successor (RFC 9700). */
  reuseGraceSeconds: number;
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
 * Exchanges a refresh token for a new pair. A token is good once; presenting it again means it
 * leaked, so its whole family is revoked, unless it comes back within `reuseGraceSeconds` of its
 * rotation (two tabs refreshing at once, a retry after a lost answer): then it gets the very
 * successor it was rotated into, with a fresh access token, so there is never a second one.
 */
export async function rotateSession(
  db: Db,
  token: string,
  config: SessionConfig,
): Promise<AuthPayloadRow> {
  const tokenHash = hashToken(token);
  const stored = await findRefreshToken(db, tokenHash);
  if (!stored || stored.family.revokedAt || stored.expiresAt <= new Date()) {
    throw invalidRefreshToken();
  }
  if (stored.usedAt) return presentedAgain(db, token, stored, config);
  const [user] = await findUsersByIds(db, [stored.family.userId]);
  if (!user) throw invalidRefreshToken();
  const next = newRefreshToken(config);
  const sealed = config.reuseGraceSeconds > 0 ? sealSuccessor(next.token, token) : null;
  if (!(await rotateRefreshToken(db, stored, { ...next, sealed }))) {
    // A concurrent call rotated it first and has committed: answer as a repeat of that one.
    return presentedAgain(db, token, await findRefreshToken(db, tokenHash), config);
  }
  return payload(user, next.token, config);
}

async function presentedAgain(
  db: Db,
  token: string,
  stored: StoredRefreshToken | null,
  config: SessionConfig,
): Promise<AuthPayloadRow> {
  if (!stored?.usedAt || stored.family.revokedAt) throw invalidRefreshToken();
  const inGrace = Date.now() < stored.usedAt.getTime() + config.reuseGraceSeconds * 1000;
  const successor =
    inGrace && stored.successorSealed ? openSuccessor(stored.successorSealed, token) : null;
  const [user] = successor ? await findUsersByIds(db, [stored.family.userId]) : [];
  if (!successor || !user) {
    await revokeTokenFamily(db, stored.familyId);
    throw invalidRefreshToken();
  }
  return payload(user, successor, config);
}

/** Logout: revokes the family of the given token. False when the token is unknown. */
export async function endSession(db: Db, token: string): Promise<boolean> {
  const stored = await findRefreshToken(db, hashToken(token));
  if (!stored) return false;
  await revokeTokenFamily(db, stored.familyId);
  return true;
}
