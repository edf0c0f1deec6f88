import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { eventFields, type OutgoingEvent } from './contracts.js';

/**
 * The raw-SQL surface of a Prisma client (or of one of its transactions): enough for the outbox
 * tables, which every service declares identically in its own schema.
 */
export interface SqlClient {
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

export interface TransactionalSqlClient extends SqlClient {
  $transaction<R>(work: (tx: SqlClient) => Promise<R>): Promise<R>;
}

/**
 * Writes events to the outbox inside the caller's transaction: they exist exactly when the
 * change they announce was committed. Enqueueing an event id that is already there publishes it
 * again, which is how an answer is repeated to a request that came twice.
 */
export async function enqueueEvents(
  tx: SqlClient,
  events: readonly OutgoingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO outbox_events (id, stream, type, key, payload)
    SELECT * FROM unnest(
      ${events.map((event) => event.id)}::text[],
      ${events.map((event) => event.stream)}::text[],
      ${events.map((event) => event.type)}::text[],
      ${events.map((event) => event.key)}::text[],
      ${events.map((event) => JSON.stringify(event.payload))}::jsonb[]
    )
    ON CONFLICT (id) DO UPDATE SET published_at = NULL`;
}

export interface OutboxRelayOptions {
  db: TransactionalSqlClient;
  redis: Redis;
  /** Prepended to every stream name (REDIS_PREFIX). */
  prefix: string;
  logger: Logger;
  /** How often to look for events nobody kicked the relay for (other replicas', retries). */
  pollMs?: number;
  batchSize?: number;
  /** Streams are capped near this length; consumers are far behind only when something is broken. */
  maxStreamLength?: number;
  /** Where `cartograph_outbox_backlog` is registered; without one, it is not reported. */
  registry?: Registry;
}

interface OutboxRow {
  id: string;
  stream: string;
  type: string;
  key: string;
  payload: unknown;
}

/**
 * Publishes committed outbox events to Redis Streams. `FOR UPDATE SKIP LOCKED` lets replicas
 * share the table without publishing a row twice at once; a crash between XADD and marking the
 * row republishes it, which consumers absorb (at-least-once, handled idempotently).
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const {
    db,
    redis,
    prefix,
    logger,
    pollMs = 500,
    batchSize = 200,
    maxStreamLength = 100_000,
  } = options;
  let running = false;
  let wake: (() => void) | undefined;
  let kicked = false;
  let loop: Promise<void> | undefined;
  let lastCleanup = 0;
  if (options.registry) {
    new Gauge({
      name: 'cartograph_outbox_backlog',
      help: 'Outbox events committed but not yet published (every replica sees the same table)',
      registers: [options.registry],
      // Counted on scrape, through the (published_at, created_at) index, rather than tracked.
      async collect() {
        try {
          const [row] = await db.$queryRaw<{ count: bigint }[]>`
            SELECT count(*) AS count FROM outbox_events WHERE published_at IS NULL`;
          this.set(Number(row?.count ?? 0));
        } catch {
          // The database's outage shows on /ready; it must not take /metrics down with it.
          this.set(Number.NaN);
        }
      },
    });
  }

  async function publishBatch(): Promise<number> {
    return db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<OutboxRow[]>`
        SELECT id, stream, type, key, payload FROM outbox_events
        WHERE published_at IS NULL
        ORDER BY created_at, id
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) {
        pipeline.xadd(
          `${prefix}${row.stream}`,
          'MAXLEN',
          '~',
          maxStreamLength,
          '*',
          ...eventFields(row as OutgoingEvent),
        );
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      await tx.$executeRaw`
        UPDATE outbox_events SET published_at = now() WHERE id = ANY(${rows.map((row) => row.id)}::text[])`;
      return rows.length;
    });
  }

  async function cleanup() {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    await db.$executeRaw`DELETE FROM outbox_events WHERE published_at < now() - interval '1 day'`;
  }

  async function run() {
    let backoff = 0;
    while (running) {
      try {
        const published = await publishBatch();
        backoff = 0;
        if (published === batchSize) continue;
        await cleanup();
      } catch (error) {
        backoff = Math.min(backoff * 2 || 100, 5000);
        logger.warn({ err: error }, 'outbox relay failed; retrying');
      }
      if (!running) break;
      if (kicked) {
        kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff || pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      running = true;
      loop = run();
    },
    /** Publish now: called right after a commit that enqueued events. */
    kick() {
      kicked = true;
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

/**
 * Records that a consumer handled an event, inside the handler's transaction. False when it was
 * handled before: the caller then changes nothing.
 */
export async function markEventProcessed(tx: SqlClient, eventId: string): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO processed_events (event_id) VALUES (${eventId}) ON CONFLICT DO NOTHING`;
  return inserted === 1;
}
