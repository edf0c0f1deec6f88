import pg from 'pg';

/** The database a connection URL names, and the same server's maintenance database. */
function split(url: string) {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Unsupported database name "${database}"`);
  parsed.pathname = '/postgres';
  return { database, adminUrl: parsed.toString() };
}

async function withAdmin<T>(
  url: string,
  work: (client: pg.Client, database: string) => Promise<T>,
) {
  const { database, adminUrl } = split(url);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client, database);
  } finally {
    await client.end();
  }
}

/** Creates the database a URL names unless it exists. Returns whether it was created. */
export function ensureDatabase(url: string): Promise<boolean> {
  return withAdmin(url, async (client, database) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${database}"`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  });
}

/** Creates the database a URL names as a copy of `template`, which nobody may be connected to. */
export function createDatabaseFromTemplate(url: string, template: string): Promise<void> {
  return withAdmin(url, async (client, database) => {
    await client.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`);
  });
}

/** Drops the database a URL names, disconnecting whoever is still on it. */
export function dropDatabase(url: string): Promise<void> {
  return withAdmin(url, async (client, database) => {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });
}

/** Runs `work` while holding a cluster-wide advisory lock, so concurrent test runs take turns. */
export function withAdvisoryLock<T>(url: string, key: number, work: () => Promise<T>): Promise<T> {
  return withAdmin(url, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  });
}
