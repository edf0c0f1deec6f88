import { randomUUID } from 'node:crypto';
import { createLogger, createRedis } from '@cartograph/shared';
import { freePort, testRedisUrl } from '@cartograph/shared/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { persistedQueriesInRedis } from '../src/apq-cache.js';
import { sha256 } from '../src/trusted-documents.js';

const logger = createLogger('apq-test', 'silent');
const redis = createRedis(testRedisUrl, logger, 'apq-test');
afterAll(() => redis.quit());

async function post(body: object) {
  const response = await fetch(`${inject('routerUrl')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A query no other test sends, so the cache holds nothing for it yet. */
const freshQuery = () => `query ApqCount { products(first: 1) { totalCount } } # ${randomUUID()}`;
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const data = { data: { products: { totalCount: expect.any(Number) } } };

describe('automatic persisted queries', () => {
  it('answers PERSISTED_QUERY_NOT_FOUND to a hash it has not seen', async () => {
    const response = await post({ extensions: persisted(sha256(freshQuery())) });

    expect(response.body).toEqual({
      errors: [
        {
          message: 'PersistedQueryNotFound',
          extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
        },
      ],
    });
  });

  it('registers a query sent with its hash, then runs it from the hash alone', async () => {
    const query = freshQuery();
    const hash = sha256(query);

    const registered = await post({ query, extensions: persisted(hash) });
    const hit = await post({ extensions: persisted(hash) });

    expect(registered.body).toEqual(data);
    expect(hit.body).toEqual(data);
  });

  it("keeps a registered query in Redis under the deployment's prefix, with a TTL", async () => {
    const query = freshQuery();
    const key = `${inject('redisPrefix')}apq:${sha256(query)}`;

    await post({ query, extensions: persisted(sha256(query)) });

    expect(await redis.get(key)).toBe(query);
    expect(await redis.ttl(key)).toBeGreaterThan(86_000);
  });

  it('refuses a query sent with a hash that is not its own, and registers nothing', async () => {
    const query = freshQuery();
    const wrongHash = sha256(freshQuery());

    const response = await post({ query, extensions: persisted(wrongHash) });

    expect(response).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'provided sha does not match query',
            extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
          },
        ],
      },
    });
    expect(await redis.exists(`${inject('redisPrefix')}apq:${wrongHash}`)).toBe(0);
  });
});

describe('the APQ cache while Redis is away', () => {
  it('misses on every read and drops writes, without failing', async () => {
    const down = createRedis(`redis://127.0.0.1:${await freePort()}`, logger, 'apq-down');
    const { cache } = persistedQueriesInRedis(
      { redis: down, prefix: 'x:', ttlSeconds: 60 },
      logger,
    );

    await expect(cache!.set('apq:a', 'query { a }', { ttl: 60 })).resolves.toBeUndefined();
    await expect(cache!.get('apq:a')).resolves.toBeUndefined();
    down.disconnect();
  });
});
