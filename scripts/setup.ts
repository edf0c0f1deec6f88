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
import { ensureDevKeys } from './keys.js';

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

/** Seeds demo data; the demo accounts' default passwords are refused in production. */
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
    console.log(`seeded ${accounts.length} demo accounts and ${JSON.stringify(catalog)}`);
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
      // docker compose: the signing keys go to a volume the services share.
      'keys-dir': { type: 'string' },
    },
  });
  if (values['keys-dir']) ensureDevKeys(values['keys-dir']);
  if (!values['seed-only']) await migrateAll();
  if (!values['no-seed']) await seedAll();
}
