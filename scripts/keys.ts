import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { generateSigningKeys, repoRoot } from '@cartograph/shared/testing';

/**
 * Development signing keys, generated on first start into the gitignored `.keys/` (or the
 * compose stack's keys volume), with the secret the router signs subgraph requests with.
 * Production passes its own through JWT_PRIVATE_KEY(_FILE), JWT_PUBLIC_KEY(_FILE) and
 * INTERNAL_SECRET(_FILE).
 */
export function ensureDevKeys(dir = `${repoRoot}/.keys`) {
  const privateKeyFile = `${dir}/jwt-private.pem`;
  const publicKeyFile = `${dir}/jwt-public.pem`;
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const { privateKeyPem, publicKeyPem } = generateSigningKeys();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(privateKeyFile, privateKeyPem, { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKeyPem);
  }
  const internalSecretFile = `${dir}/internal-secret`;
  if (!existsSync(internalSecretFile)) {
    writeFileSync(internalSecretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return { privateKeyFile, publicKeyFile, internalSecretFile };
}
