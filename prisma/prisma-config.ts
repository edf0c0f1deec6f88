import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

/**
 * Prisma CLI config for one service's database: its schema and migrations under `prisma/<name>`,
 * run through Prisma's JS schema engine and the pg adapter, so nothing is downloaded (see the
 * toolchain note).
 */
export function serviceConfig(name: string) {
  const variable = `${name.toUpperCase()}_DATABASE_URL`;
  // The CLI must resolve the schema's env(...) to see `engineType = "client"`; when it cannot,
  // it falls back to fetching a Rust engine, which these machines cannot download.
  const connectionString = (process.env[variable] ??=
    `postgresql://postgres@127.0.0.1:5432/cartograph_${name}`);
  return defineConfig({
    engine: 'js',
    experimental: { adapter: true },
    schema: `../../prisma/${name}/schema.prisma`,
    migrations: { path: `../../prisma/${name}/migrations` },
    adapter: async () => new PrismaPg({ connectionString }),
  });
}
