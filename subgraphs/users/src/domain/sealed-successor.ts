import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals a rotated refresh token's successor under a key derived from the rotated token itself.
 * The database keeps only hashes of refresh tokens, so a copy of it opens nothing; whoever
 * presents the old token again can open what it was exchanged for, and nobody else.
 * The key is HKDF-SHA256 of the token (32 random bytes), which the stored SHA-256 does not reveal.
 */
const keyOf = (token: string) =>
  Buffer.from(hkdfSync('sha256', token, '', 'cartograph refresh-token successor', 32));

const ivBytes = 12;
const tagBytes = 16;

/** AES-256-GCM: iv, tag, then the ciphertext. */
export function sealSuccessor(successor: string, presented: string): Uint8Array<ArrayBuffer> {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', keyOf(presented), iv);
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
}

/** The successor, or null when `presented` is not the token it was sealed under. */
export function openSuccessor(sealed: Uint8Array, presented: string): string | null {
  const bytes = Buffer.from(sealed);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(presented), bytes.subarray(0, ivBytes));
    decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
    return Buffer.concat([
      decipher.update(bytes.subarray(ivBytes + tagBytes)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}
