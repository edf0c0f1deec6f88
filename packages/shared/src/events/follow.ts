import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEvent, type IncomingEvent } from './contracts.js';

export interface FollowOptions {
  /** A connection of its own: XREAD blocks it. */
  redis: Redis;
  prefix: string;
  stream: string;
  logger: Logger;
  /**
   * Each read's events, in stream order; the next read waits for it, so work it awaits (a load
   * shared by every subscriber) cannot reorder events. A failure is logged and the events skipped.
   */
  onEvents: (events: IncomingEvent[]) => void | Promise<void>;
  blockMs?: number;
}

/**
 * Follows a stream from now on, every event to every follower (no consumer group): how each
 * replica learns of every stock change. Live data: a follower that was away does not replay
 * history, since the next event carries the new absolute value.
 */
export function followStream(options: FollowOptions) {
  const { redis, logger, onEvents, blockMs = 1000 } = options;
  const stream = `${options.prefix}${options.stream}`;
  let running = true;
  let lastId = '$';

  const loop = (async () => {
    while (running) {
      try {
        const reply = (await redis.xread(
          'COUNT',
          100,
          'BLOCK',
          blockMs,
          'STREAMS',
          stream,
          lastId,
        )) as [string, [string, string[]][]][] | null;
        const events: IncomingEvent[] = [];
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          lastId = id;
          const event = parseEvent(fields);
          if ('error' in event)
            logger.warn({ stream, entry: id, reason: event.error }, 'skipped a malformed event');
          else events.push(event);
        }
        try {
          if (events.length > 0) await onEvents(events);
        } catch (error) {
          logger.warn({ err: error, stream, skipped: events.length }, 'live events skipped');
        }
      } catch (error) {
        if (!running) break;
        logger.warn({ err: error, stream }, 'stream follow failed; retrying');
        // After a Redis restart the old ids mean nothing: carry on from what comes next.
        lastId = '$';
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
