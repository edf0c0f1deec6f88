import { badInput } from '@cartograph/shared';
import bcrypt from 'bcrypt';
import { z } from 'zod';

const emailFormat = z.email();

/** Emails are compared trimmed and lower-cased, so one address is one account. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !emailFormat.safeParse(email).success) {
    throw badInput('email', 'must be a valid email address');
  }
  return email;
}

/** bcrypt reads at most 72 bytes, so longer passwords would be silently truncated. */
export function checkPassword(password: string): string {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < 8 || bytes > 72) throw badInput('password', 'must be 8 to 72 bytes long');
  return password;
}

export function normalizeName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  return name;
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Checks a password against a stored hash. Without a hash (unknown email) it still runs one
 * bcrypt comparison at the same cost, so both failures take the same time.
 */
export async function verifyPassword(password: string, hash: string | null, cost: number) {
  if (hash) return bcrypt.compare(password, hash);
  let dummy = dummyHashes.get(cost);
  if (!dummy) {
    dummy = bcrypt.hash('not-a-real-password', cost);
    dummyHashes.set(cost, dummy);
  }
  await bcrypt.compare(password, await dummy);
  return false;
}
