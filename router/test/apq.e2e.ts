import { randomUUID } from 'node:crypto';
import { createLogger, createRedis } from '@cartograph/shared';
import { freePort, testRedisUrl, type RunningService } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { persistedQueriesInRedis } from '../src/apq-cache.js';
import { sha256 } from '../src/trusted-documents.js';
import { startRouter } from './extra-router.js';

const logger = createLogger('apq-test', 'silent');
const redis = createRedis(testRedisUrl, logger, 'apq-test');
afterAll(() => redis.quit());

async function post(body: object, base = inject('routerUrl')) {
  const response = await fetch(`${base}/graphql`, {
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

describe('malformed persisted query hashes', () => {
  it('refuses a hash that is not a hex SHA-256 before looking it up', async () => {
    const response = await post({ extensions: persisted('f'.repeat(100_000)) });

    expect(response).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'persistedQuery.sha256Hash must be a hex SHA-256',
            extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
          },
        ],
      },
    });
  });
});

describe('what APQ may store', () => {
  // A router of its own: 3 registrations per address a minute, the default 32 KiB per query.
  let limited: RunningService;
  const prefix = () => `${inject('redisPrefix')}router-apq:`;
  beforeAll(async () => {
    limited = await startRouter('router-apq', {
      APQ_REGISTRATIONS_PER_ADDRESS: '3',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
  });
  afterAll(() => limited?.stop());
  const postTo = (body: object) => post(body, limited.url);
  const notFound = {
    errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })],
  };

  it('runs a query over APQ_MAX_BYTES sent for registration, but does not store it', async () => {
    const query = `${freshQuery()} ${'x'.repeat(40 * 1024)}`;
    const hash = sha256(query);

    const registered = await postTo({ query, extensions: persisted(hash) });
    const byHash = await postTo({ extensions: persisted(hash) });

    expect(registered.body).toEqual(data);
    expect(await redis.exists(`${prefix()}apq:${hash}`)).toBe(0);
    expect(byHash.body).toEqual(notFound);
  });

  it('stores 3 registrations from one address per window, and runs the 4th without storing it', async () => {
    const queries = Array.from({ length: 4 }, freshQuery);

    const answers = [];
    for (const query of queries)
      answers.push(await postTo({ query, extensions: persisted(sha256(query)) }));
    const stored = await Promise.all(
      queries.map((query) => redis.exists(`${prefix()}apq:${sha256(query)}`)),
    );
    const fourthByHash = await postTo({ extensions: persisted(sha256(queries[3]!)) });

    expect(answers.map((answer) => answer.body)).toEqual([data, data, data, data]);
    expect(stored).toEqual([1, 1, 1, 0]);
    expect(fourthByHash.body).toEqual(notFound);
  });

  it('writes no Redis key without a TTL', async () => {
    const keys = await redis.keys(`${prefix()}*`);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));

    // Stored queries and the counters for addresses and registrations, all with an expiry.
    expect(keys.length).toBeGreaterThanOrEqual(5);
    expect(keys.filter((_, i) => ttls[i]! < 0)).toEqual([]);
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
