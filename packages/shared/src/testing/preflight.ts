import { Redis } from 'ioredis';
import pg from 'pg';

const howToStart = {
  postgres:
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
    '  or, with Docker: docker compose up -d postgres redis',
  redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no\n' +
    '  or, with Docker: docker compose up -d postgres redis',
};

/** Fails at once, naming what is missing and how to start it, when Postgres is unreachable. */
export async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${new URL(url).host} (${(error as Error).message}).\n` +
        `Start it with:\n  ${howToStart.postgres}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Fails at once, naming what is missing and how to start it, when Redis is unreachable. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${new URL(url).host} (${(error as Error).message}).\n` +
        `Start it with:\n  ${howToStart.redis}`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}
