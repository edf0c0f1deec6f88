import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamConsumer, eventFields, newEvent, parseEvent } from '../src/index.js';
import { createLogger } from '../src/observability/logger.js';
import { createTestRedisPrefix, testRedisUrl } from '../src/testing/index.js';

const keys = createTestRedisPrefix('consumer');
const stream = 'test:events';
const group = 'test-group';
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await keys.cleanup();
});

/** A stream and group of their own per test, so tests never see each other's entries. */
function setup() {
  const prefix = `${keys.prefix}${randomUUID()}:`;
  const handled: string[] = [];
  const reader = new Redis(testRedisUrl);
  const consumer = (options: { claimIdleMs: number; maxDeliveries: number }) =>
    createStreamConsumer({
      redis: reader,
      prefix,
      stream,
      group,
      logger: createLogger('consumer-test', 'silent'),
      accepts: ['StockReleased'],
      handle: async (event) => {
        handled.push(event.key);
        throw new Error('handler keeps failing');
      },
      blockMs: 100,
      ...options,
    });
  const add = (key: string) =>
    redis.xadd(
      `${prefix}${stream}`,
      '*',
      ...eventFields(newEvent('StockReleased', key, { orderId: key })),
    ) as Promise<string>;
  const parked = async () =>
    (await redis.xrange(`${prefix}dead-letter`, '-', '+')).map(([, fields]) => {
      const event = parseEvent(fields);
      const reason = fields[fields.indexOf('reason') + 1];
      return { key: 'error' in event ? undefined : event.key, reason };
    });
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  return { prefix, handled, reader, consumer, add, parked, until };
}

describe('createStreamConsumer', () => {
  it('does not dead-letter a claimed event on its first failure when other entries lie between the claimed ones', async () => {
    const { prefix, handled, reader, consumer, add, parked, until } = setup();
    const key = `${prefix}${stream}`;
    await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    const first = await add('first');
    const between = [await add('b1'), await add('b2'), await add('b3'), await add('b4')];
    const last = await add('last');
    // Everything goes to a consumer that then dies; the entries in between are then moved to
    // the live consumer as if it had just read them, so only `first` and `last` are stale.
    await redis.xreadgroup('GROUP', group, 'dead-consumer', 'COUNT', 10, 'STREAMS', key, '>');
    const live = consumer({ claimIdleMs: 60_000, maxDeliveries: 10 });
    await redis.xclaim(key, group, live.name, 0, ...between, 'IDLE', 0, 'JUSTID');
    await redis.xclaim(key, group, 'dead-consumer', 0, first, last, 'IDLE', 120_000, 'JUSTID');

    live.start();
    await until(() => handled.includes('first') && handled.includes('last'));
    await live.stop();
    reader.disconnect();

    expect(handled.sort()).toEqual(['first', 'last']);
    expect(await parked()).toEqual([]);
    const pending = (await redis.xpending(key, group, last, last, 1)) as [
      string,
      string,
      number,
      number,
    ][];
    expect(pending).toEqual([[last, live.name, expect.any(Number), 2]]);
  });

  it('dead-letters an event once it has failed maxDeliveries times', async () => {
    const { handled, reader, consumer, add, parked, until } = setup();
    const live = consumer({ claimIdleMs: 100, maxDeliveries: 3 });
    live.start();

    await add('doomed');
    await until(() => handled.filter((key) => key === 'doomed').length >= 3);
    let dead = await parked();
    const deadline = Date.now() + 10_000;
    while (dead.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      dead = await parked();
    }
    await live.stop();
    reader.disconnect();

    expect(handled).toEqual(['doomed', 'doomed', 'doomed']);
    expect(dead).toEqual([{ key: 'doomed', reason: 'failed 3 times: handler keeps failing' }]);
  });
});
