import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { parseEvent, streams, type EventType, type IncomingEvent } from './contracts.js';

export interface StreamConsumerOptions {
  /** A connection of its own: XREADGROUP blocks it. */
  redis: Redis;
  prefix: string;
  stream: string;
  group: string;
  logger: Logger;
  /** The event types this group handles; any other is parked at once. */
  accepts: readonly EventType[];
  /** Commits the event's effect; throwing leaves it pending, to be retried. */
  handle: (event: IncomingEvent) => Promise<void>;
  /** Events handled at once; each commits on its own. */
  concurrency?: number;
  /** An event pending this long (its consumer died, or its handler failed) is claimed again. */
  claimIdleMs?: number;
  /** Deliveries after which an event that keeps failing is parked in the dead-letter stream. */
  maxDeliveries?: number;
  blockMs?: number;
  /** Where `cartograph_event_lag_seconds` is registered; without one, lag is not measured. */
  registry?: Registry;
}

type Entry = [id: string, fields: string[]];

/** A unique consumer name per process: a restarted replica claims its predecessor's leftovers. */
export const consumerName = () => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * Consumes a stream in a consumer group, at least once: an event is acknowledged only after its
 * handler committed. Events left pending by a crashed or failing consumer are claimed again after
 * `claimIdleMs`; malformed events and events that keep failing are parked in the dead-letter
 * stream, so neither crashes the consumer nor blocks the events behind them. If Redis loses the
 * group (a restart without persistence), it is created again.
 */
export function createStreamConsumer(options: StreamConsumerOptions) {
  const { redis, prefix, group, logger, handle } = options;
  const stream = `${prefix}${options.stream}`;
  const deadLetter = `${prefix}${streams.deadLetter}`;
  const concurrency = options.concurrency ?? 8;
  const claimIdleMs = options.claimIdleMs ?? 5000;
  const maxDeliveries = options.maxDeliveries ?? 10;
  const blockMs = options.blockMs ?? 1000;
  const consumer = consumerName();
  let running = false;
  let loop: Promise<void> | undefined;
  let lastClaim = 0;
  const lag =
    options.registry &&
    new Histogram({
      name: 'cartograph_event_lag_seconds',
      help: 'From an event entering its stream to a consumer having handled it',
      labelNames: ['stream'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [options.registry],
    });

  async function ensureGroup() {
    try {
      // From the start of the stream: events written before the group existed are still owed.
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  async function park(id: string, fields: string[], reason: string) {
    logger.error({ stream, group, entry: id, reason }, 'event parked in the dead-letter stream');
    await redis.xadd(
      deadLetter,
      'MAXLEN',
      '~',
      100_000,
      '*',
      'stream',
      stream,
      'group',
      group,
      'entry',
      id,
      'reason',
      reason,
      ...fields,
    );
    await redis.xack(stream, group, id);
  }

  /**
   * `deliveries` is how often Redis has handed the entry out, this time included; `undefined`
   * when it could not be read, which is never taken for the last delivery: a failure then means
   * one more try, not the dead-letter stream.
   */
  async function handleEntry([id, fields]: Entry, deliveries: number | undefined) {
    const event = parseEvent(fields);
    if ('error' in event) return park(id, fields, event.error);
    if (!options.accepts.includes(event.type))
      return park(id, fields, `${group} does not handle ${event.type}`);
    try {
      await handle(event);
      await redis.xack(stream, group, id);
      // A stream entry's id starts with the time Redis added it, in ms.
      lag?.observe({ stream: options.stream }, (Date.now() - Number.parseInt(id, 10)) / 1000);
    } catch (error) {
      if (deliveries !== undefined && deliveries >= maxDeliveries)
        return park(id, fields, `failed ${deliveries} times: ${(error as Error).message}`);
      logger.warn(
        { err: error, stream, entry: id, type: event.type, deliveries },
        'event handling failed; will retry',
      );
    }
  }

  /**
   * How often each of `ids` has been delivered. One XPENDING per id, for exactly that id: a range
   * from the first to the last would also hold entries in between that were not claimed now, and
   * a count would cut the ones at the end off.
   */
  async function deliveryCounts(ids: readonly string[]) {
    const replies = await redis
      .pipeline(ids.map((id) => ['xpending', stream, group, id, id, 1]))
      .exec();
    const counts = new Map<string, number>();
    for (const [error, pending] of replies ?? []) {
      const [entry] = error ? [] : (pending as [string, string, number, number][]);
      if (entry) counts.set(entry[0], entry[3]);
    }
    return counts;
  }

  /** Takes over events pending longer than `claimIdleMs`, whoever they were delivered to. */
  async function claimStale() {
    if (Date.now() - lastClaim < claimIdleMs / 2) return;
    lastClaim = Date.now();
    const [, entries] = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      claimIdleMs,
      '0-0',
      'COUNT',
      concurrency,
    )) as [string, (Entry | null)[]];
    const live = entries.filter((entry): entry is Entry => entry !== null && entry[1] !== null);
    if (live.length === 0) return;
    const deliveries = await deliveryCounts(live.map(([id]) => id));
    await Promise.all(live.map((entry) => handleEntry(entry, deliveries.get(entry[0]))));
  }

  async function readNew() {
    const reply = (await redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      concurrency,
      'BLOCK',
      blockMs,
      'STREAMS',
      stream,
      '>',
    )) as [string, Entry[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    await Promise.all(entries.map((entry) => handleEntry(entry, 1)));
  }

  async function run() {
    await ensureGroup().catch(() => undefined);
    while (running) {
      try {
        await claimStale();
        await readNew();
      } catch (error) {
        if (!running) break;
        if (String((error as Error).message).includes('NOGROUP')) {
          logger.warn(
            { stream, group },
            'consumer group missing (Redis restarted?); creating it again',
          );
          await ensureGroup().catch(() => undefined);
        } else {
          logger.warn({ err: error, stream, group }, 'stream read failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  }

  return {
    name: consumer,
    start() {
      running = true;
      loop = run();
    },
    /** Finishes the events in hand, then stops reading. */
    async stop() {
      running = false;
      await loop;
    },
  };
}

export type StreamConsumer = ReturnType<typeof createStreamConsumer>;
