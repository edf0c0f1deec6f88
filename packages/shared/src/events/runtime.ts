import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createRedis } from '../redis.js';
import { createStreamConsumer, type StreamConsumerOptions } from './consumer.js';
import { createOutboxRelay, type TransactionalSqlClient } from './outbox.js';

export interface EventRuntimeOptions {
  name: string;
  /** The service's own connection, which the relay publishes on; its owner closes it. */
  redis: Redis;
  /** Where the consumer opens a connection of its own: XREADGROUP blocks it. */
  redisUrl: string;
  prefix: string;
  db: TransactionalSqlClient;
  logger: Logger;
  /** The service's metrics registry (`createMetrics().registry`): event lag and outbox backlog. */
  registry?: Registry;
  /** The stream this service consumes, if any; its handler's outbox is published right after. */
  consume?: Pick<
    StreamConsumerOptions,
    'stream' | 'group' | 'accepts' | 'handle' | 'claimIdleMs' | 'concurrency'
  >;
}

/**
 * A service's side of the event flow: the outbox relay publishing what its transactions
 * enqueued, and optionally one consumer group. `kick()` after a commit publishes at once instead
 * of at the next poll.
 */
export function createEventRuntime(options: EventRuntimeOptions) {
  const { name, redis, prefix, db, logger, registry } = options;
  const relay = createOutboxRelay({ db, redis, prefix, logger, registry });
  const reader = options.consume && createRedis(options.redisUrl, logger, `${name}-consumer`);
  const consumer =
    options.consume &&
    reader &&
    createStreamConsumer({
      ...options.consume,
      redis: reader,
      prefix,
      logger,
      registry,
      handle: async (event) => {
        await options.consume!.handle(event);
        relay.kick();
      },
    });
  return {
    kick: () => relay.kick(),
    start() {
      relay.start();
      consumer?.start();
    },
    async stop() {
      await consumer?.stop();
      await relay.stop();
      reader?.disconnect();
    },
  };
}

export type EventRuntime = ReturnType<typeof createEventRuntime>;
