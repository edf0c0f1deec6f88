import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvictionPolicy } from '../src/redis.js';
import { freePort, startRedisServer } from '../src/testing/redis.js';

const warnings: unknown[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });

// A Redis of its own: the machine's shared one must keep its configuration.
let server: Awaited<ReturnType<typeof startRedisServer>>;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('checkEvictionPolicy', () => {
  it('accepts noeviction and volatile-* policies', async () => {
    for (const policy of ['noeviction', 'volatile-lru', 'volatile-ttl']) {
      await redis.config('SET', 'maxmemory-policy', policy);

      await expect(checkEvictionPolicy(redis, logger)).resolves.toBeUndefined();
    }
  });

  it('refuses an allkeys-* policy, which could evict the event streams', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');

    await expect(checkEvictionPolicy(redis, logger)).rejects.toThrow(
      /maxmemory-policy is allkeys-lru.*noeviction/,
    );
  });

  it('only warns when the policy cannot be read', async () => {
    const unreachable = new Redis(await freePort(), '127.0.0.1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const before = warnings.length;

    await expect(checkEvictionPolicy(unreachable, logger)).resolves.toBeUndefined();
    expect(warnings.length).toBe(before + 1);
    expect(String(warnings.at(-1))).toMatch(/could not read Redis maxmemory-policy/);
    unreachable.disconnect();
  });
});
