/**
 * Creates each service's database if missing, applies every migration and seeds the demo data.
 * `npm start` runs it first; `npm run db:migrate` runs it without seeding, `npm run db:seed`
 * seeds only.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDatabase, migrateDatabase } from '@cartograph/shared/testing';
import { seedProducts } from '../prisma/products/seed.js';
import { seedUsers } from '../prisma/users/seed.js';
import { createDb as createProductsDb } from '../subgraphs/products/src/data/db.js';
import { createDb as createUsersDb } from '../subgraphs/users/src/data/db.js';
import { ensureDemoPasswords, ensureDevKeys } from './keys.js';

export const services = ['users', 'products', 'orders'] as const;

export const databaseUrl = (service: (typeof services)[number], env = process.env) =>
  env[`${service.toUpperCase()}_DATABASE_URL`] ??
  `postgresql://postgres@127.0.0.1:5432/cartograph_${service}`;

export async function migrateAll(env = process.env) {
  for (const service of services) {
    const url = databaseUrl(service, env);
    if (await ensureDatabase(url))
      console.log(`created database ${new URL(url).pathname.slice(1)}`);
    await migrateDatabase(service, url);
  }
  console.log('migrations applied');
}

/**
 * Seeds demo data: creates the demo accounts that are missing (an existing one keeps its
 * password) and the catalog. The demo accounts' default passwords are refused in production.
 */
export async function seedAll(env = process.env) {
  if (env.NODE_ENV === 'production' && !(env.SEED_ADMIN_PASSWORD && env.SEED_CUSTOMER_PASSWORD)) {
    throw new Error(
      'Refusing to seed demo accounts with default passwords in production: set SEED_ADMIN_PASSWORD and SEED_CUSTOMER_PASSWORD',
    );
  }
  const users = createUsersDb(databaseUrl('users', env));
  const products = createProductsDb(databaseUrl('products', env));
  try {
    const accounts = await seedUsers(users, Number(env.BCRYPT_COST ?? 12), env);
    const catalog = await seedProducts(products);
    const states = accounts.map(
      ({ email, created }) => `${email} ${created ? 'created' : 'exists, left as it is'}`,
    );
    console.log(`demo accounts: ${states.join('; ')}. Catalog: ${JSON.stringify(catalog)}`);
    return accounts;
  } finally {
    await Promise.all([users.$disconnect(), products.$disconnect()]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'seed-only': { type: 'boolean' },
      'no-seed': { type: 'boolean' },
      // docker compose: the public key and the internal secret go to a volume every service
      // mounts, the private key and generated demo passwords to one only users mounts.
      'keys-dir': { type: 'string' },
      'users-secrets-dir': { type: 'string' },
    },
  });
  const usersSecretsDir = values['users-secrets-dir'];
  if (values['keys-dir']) ensureDevKeys(values['keys-dir'], usersSecretsDir);
  if (usersSecretsDir) ensureDemoPasswords(usersSecretsDir, process.env);
  if (!values['seed-only']) await migrateAll();
  if (!values['no-seed']) {
    const accounts = await seedAll();
    if (usersSecretsDir && accounts.some((account) => account.created))
      console.log(`the new demo accounts' passwords are in ${usersSecretsDir}`);
  }
}
