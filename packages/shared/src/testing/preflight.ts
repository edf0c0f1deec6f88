import { accessSync, constants } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Where the tests run (Debian): `npm start` offers Docker's instead (scripts/infrastructure.ts). */
const howToStart = {
  postgres:
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
    '  (not installed? Debian: sudo apt-get install postgresql)',
  redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no\n' +
    '  (not installed? Debian: sudo apt-get install redis-server)',
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

/** The Chromium the browser test drives: CHROMIUM_PATH, or Debian's at /usr/bin/chromium. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Fails at once, saying what to install, when there is no Chromium to run: the router's browser
 * test (the /track page) needs one, and playwright-core never downloads a browser.
 */
export function checkChromium(): void {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new Error(
      `No Chromium to run at ${path} (${process.env.CHROMIUM_PATH ? 'CHROMIUM_PATH' : 'the default'}): ` +
        `the browser test of the /track page drives one.\n` +
        `Install Debian's with:\n  sudo apt-get install chromium\n` +
        `  or install Chromium or Google Chrome and set CHROMIUM_PATH to its binary, e.g. on macOS\n` +
        `  CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"`,
      { cause: error },
    );
  }
}
