import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { Role } from '../auth/auth.js';

/** Test settings for access tokens, matching the services' defaults. */
export const testTokenSettings = { issuer: 'cartograph-users', audience: 'cartograph' } as const;

/** A fresh ES256 key pair: tests make one per run and `npm start` one per machine; no key is ever committed. */
export function generateSigningKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export type SigningKeys = ReturnType<typeof generateSigningKeys>;

export interface TestTokenOptions {
  sub?: string;
  role?: Role;
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
}

/**
 * Signs an access token as the users subgraph would, for tests of the services that only verify
 * them. Options produce the bad ones: expired, wrong issuer or audience.
 */
export async function signTestToken(privateKeyPem: string, options: TestTokenOptions = {}) {
  const key = await importPKCS8(privateKeyPem, 'ES256');
  return new SignJWT({ role: options.role ?? 'CUSTOMER' })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(options.sub ?? randomUUID())
    .setIssuer(options.issuer ?? testTokenSettings.issuer)
    .setAudience(options.audience ?? testTokenSettings.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '15m')
    .sign(key);
}
