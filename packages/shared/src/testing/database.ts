import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDatabaseFromTemplate, dropDatabase, withAdvisoryLock } from './database-admin.js';
import { repoRoot } from './paths.js';

/** A subgraph, by its folder name: its schema and migrations are under `prisma/<name>/`. */
export type Service = string;

/** The server tests create their databases on; override with TEST_POSTGRES_URL. */
export const testPostgresUrl =
  process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

const run = promisify(execFile);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

const databaseUrl = (name: string) => `${testPostgresUrl}/${name}`;

function migrationsHash(service: Service) {
  const dir = `${repoRoot}/prisma/${service}/migrations`;
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (entry.endsWith('migration.sql')) hash.update(entry).update(readFileSync(`${dir}/${entry}`));
  }
  return hash.digest('hex').slice(0, 12);
}

async function templateExists(name: string) {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

/** Applies a service's migrations with the real `prisma migrate deploy`. */
export async function migrateDatabase(service: Service, url: string) {
  await run(process.execPath, [prismaCli, 'migrate', 'deploy'], {
    cwd: `${repoRoot}/subgraphs/${service}`,
    env: { ...process.env, [`${service.toUpperCase()}_DATABASE_URL`]: url },
  });
}

/**
 * A throwaway database for one test run, copied from a template that was migrated once per
 * migration history (named by its hash). An advisory lock lets parallel runs share templates.
 */
export async function createTestDatabase(service: Service) {
  const template = `cartograph_${service}_tpl_${migrationsHash(service)}`;
  await withAdvisoryLock(databaseUrl('postgres'), 0x6361_7274, async () => {
    if (await templateExists(template)) return;
    const building = `${template}_building`;
    await dropDatabase(databaseUrl(building));
    await createDatabaseFromTemplate(databaseUrl(building), 'template0');
    await migrateDatabase(service, databaseUrl(building));
    const client = new pg.Client({ connectionString: databaseUrl('postgres') });
    await client.connect();
    try {
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await client.end();
    }
  });
  const url = databaseUrl(`cartograph_${service}_test_${randomBytes(5).toString('hex')}`);
  await createDatabaseFromTemplate(url, template);
  return { url, drop: () => dropDatabase(url) };
}
