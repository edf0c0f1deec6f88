/**
 * Authors a migration from the change to a service's schema.prisma:
 *
 *   npm run db:new-migration -- <subgraph> <name>
 *
 * `prisma migrate dev` cannot run offline (see the toolchain note), so this diffs the schema
 * against the snapshot saved with the latest migration (or against nothing for the first one),
 * writes `migrations/<timestamp>_<name>/migration.sql` and saves a new snapshot beside it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureDatabase, listSubgraphs } from '@cartograph/shared/testing';

/** A subgraph, by its folder name: its database's schema is `prisma/<name>/schema.prisma`. */
type Service = string;

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const snapshotName = 'schema.snapshot.prisma';

export function migrationsDir(service: Service) {
  return `${root}/prisma/${service}/migrations`;
}

/** The schema as of the latest migration, or null before the first one. */
export function latestSnapshot(service: Service): string | null {
  const dir = migrationsDir(service);
  if (!existsSync(dir)) return null;
  const latest = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .at(-1);
  return latest ? `${dir}/${latest}/${snapshotName}` : null;
}

/** SQL taking the latest migration's schema to the current one; empty when nothing changed. */
export function diffSchema(service: Service): string {
  const snapshot = latestSnapshot(service);
  const from = snapshot ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
  const sql = execFileSync(
    'npx',
    [
      'prisma',
      'migrate',
      'diff',
      ...from,
      '--to-schema-datamodel',
      `${root}/prisma/${service}/schema.prisma`,
      '--script',
    ],
    { cwd: `${root}/subgraphs/${service}`, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const statements = sql
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('--'));
  return statements.length === 0 ? '' : sql;
}

/** The CLI connects even to diff two files, so the service's database must exist. */
export async function ensureServiceDatabase(service: Service) {
  const variable = `${service.toUpperCase()}_DATABASE_URL`;
  await ensureDatabase(
    process.env[variable] ?? `postgresql://postgres@127.0.0.1:5432/cartograph_${service}`,
  );
}

/**
 * Writes the migration from the latest snapshot (or nothing) to the service's schema, named
 * `<timestamp>_<name>`; returns its folder, or null when the schema has not changed.
 */
export async function newMigration(service: Service, name: string): Promise<string | null> {
  await ensureServiceDatabase(service);
  const sql = diffSchema(service);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = `${migrationsDir(service)}/${stamp}_${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/migration.sql`, sql);
  copyFileSync(`${root}/prisma/${service}/schema.prisma`, `${dir}/${snapshotName}`);
  const lock = `${migrationsDir(service)}/migration_lock.toml`;
  if (!existsSync(lock)) writeFileSync(lock, 'provider = "postgresql"\n');
  return dir;
}

async function main() {
  const [service, name] = process.argv.slice(2);
  const services = listSubgraphs(root).map((subgraph) => subgraph.name);
  if (!service || !services.includes(service) || !name || !/^[a-z0-9_]+$/.test(name)) {
    console.error(`usage: npm run db:new-migration -- <${services.join('|')}> <snake_case_name>`);
    process.exit(2);
  }
  const dir = await newMigration(service, name);
  console.log(
    dir
      ? `Wrote ${dir}/migration.sql; review it, then run npm run db:migrate.`
      : `prisma/${service}/schema.prisma has no change since the latest migration.`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
