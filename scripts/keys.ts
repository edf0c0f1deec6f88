import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSigningKeys, repoRoot } from '@cartograph/shared/testing';

/**
 * Development signing keys, generated on first start into the gitignored `.keys/` (or the
 * compose stack's volumes), with the secret the router signs subgraph requests with. The private
 * key may go to a directory of its own (`privateKeyDir`): in docker compose only the users
 * subgraph mounts it, while every service mounts `dir`. Production passes its own through
 * JWT_PRIVATE_KEY(_FILE), JWT_PUBLIC_KEY(_FILE) and INTERNAL_SECRET(_FILE).
 */
export function ensureDevKeys(dir = `${repoRoot}/.keys`, privateKeyDir = dir) {
  const privateKeyFile = `${privateKeyDir}/jwt-private.pem`;
  const publicKeyFile = `${dir}/jwt-public.pem`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(privateKeyDir, { recursive: true, mode: 0o700 });
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const { privateKeyPem, publicKeyPem } = generateSigningKeys();
    writeFileSync(privateKeyFile, privateKeyPem, { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKeyPem);
  }
  const internalSecretFile = `${dir}/internal-secret`;
  if (!existsSync(internalSecretFile)) {
    writeFileSync(internalSecretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return { privateKeyFile, publicKeyFile, internalSecretFile };
}

/**
 * docker compose: the demo accounts' passwords, generated once into `dir` (which only setup and
 * the users subgraph mount) where SEED_ADMIN_PASSWORD / SEED_CUSTOMER_PASSWORD do not give them,
 * so a public stack never starts with the documented ones. They are put into `env` for the seed,
 * which uses them only to create an account that does not exist yet.
 */
export function ensureDemoPasswords(dir: string, env: NodeJS.ProcessEnv) {
  const files = {
    SEED_ADMIN_PASSWORD: 'admin-password',
    SEED_CUSTOMER_PASSWORD: 'customer-password',
  };
  for (const [variable, name] of Object.entries(files)) {
    if (env[variable]) continue;
    const file = `${dir}/${name}`;
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
    }
    env[variable] = readFileSync(file, 'utf8').trim();
  }
}
