/**
 * Creates each service's database if missing, applies every migration and seeds the demo data.
 * `npm start` runs it first; `npm run db:migrate` runs it without seeding, `npm run db:seed`
 * seeds only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ensureDatabase,
  envName,
  listSubgraphs,
  migrateDatabase,
  repoRoot,
} from '@cartograph/shared/testing';
import type { seed as seedUsers } from '../prisma/users/seed.js';
import { ensureDemoPasswords, ensureDevKeys } from './keys.js';

export const databaseUrl = (service: string, env = process.env) =>
  env[envName(service, 'DATABASE_URL')] ??
  `postgresql://postgres@127.0.0.1:5432/cartograph_${service}`;

/** A `prisma/<subgraph>/seed.ts`: seeds that subgraph's database and says what it did. */
interface SeedModule {
  seed(db: unknown, env: NodeJS.ProcessEnv): Promise<{ summary: string }>;
}

/** Every subgraph's `src/data/db.ts`. */
interface DbModule {
  createDb(url: string): { $disconnect(): Promise<void> };
}

const importFile = <T>(path: string) => import(pathToFileURL(path).href) as Promise<T>;

export async function migrateAll(env = process.env) {
  for (const { name: service } of listSubgraphs()) {
    const url = databaseUrl(service, env);
    if (await ensureDatabase(url))
      console.log(`created database ${new URL(url).pathname.slice(1)}`);
    await migrateDatabase(service, url);
  }
  console.log('migrations applied');
}

/**
 * Seeds demo data: runs the `seed` of every subgraph that has a `prisma/<name>/seed.ts`. Users
 * creates the demo accounts that are missing (an existing one keeps its password), whose default
 * passwords are refused in production; products, the catalog. Returns the demo accounts.
 */
export async function seedAll(env = process.env) {
  if (env.NODE_ENV === 'production' && !(env.SEED_ADMIN_PASSWORD && env.SEED_CUSTOMER_PASSWORD)) {
    throw new Error(
      'Refusing to seed demo accounts with default passwords in production: set SEED_ADMIN_PASSWORD and SEED_CUSTOMER_PASSWORD',
    );
  }
  const results: Record<string, { summary: string }> = {};
  for (const { name } of listSubgraphs()) {
    const seedFile = `${repoRoot}/prisma/${name}/seed.ts`;
    if (!existsSync(seedFile)) continue;
    const { seed } = await importFile<SeedModule>(seedFile);
    const { createDb } = await importFile<DbModule>(`${repoRoot}/subgraphs/${name}/src/data/db.ts`);
    const db = createDb(databaseUrl(name, env));
    try {
      results[name] = await seed(db, env);
    } finally {
      await db.$disconnect();
    }
  }
  console.log(
    `seeded: ${Object.values(results)
      .map((result) => result.summary)
      .join('. ')}`,
  );
  return (results.users as Awaited<ReturnType<typeof seedUsers>> | undefined)?.accounts ?? [];
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
