import type { Logger } from '@cartograph/shared';
import type { Db } from '../data/db.js';

/**
 * Republishes stock requests whose effect has not been seen after `afterMs`: a reservation for
 * an order still PENDING, a release not yet confirmed. Redis may have lost them (a restart
 * without persistence) or their answer; the products subgraph handles a repeated request as
 * the first and answers it again, so nothing is lost and nothing happens twice.
 */
export function startRedelivery(options: {
  db: Db;
  kick: () => void;
  logger: Logger;
  afterMs: number;
}) {
  const { db, kick, logger, afterMs } = options;
  const sweep = async () => {
    const republished = await db.$executeRaw`
      UPDATE outbox_events AS event SET published_at = NULL
      FROM orders AS o
      WHERE event.key = o.id
        AND event.published_at < now() - make_interval(secs => ${afterMs / 1000})
        AND ((event.type = 'ReserveStock' AND o.status = 'PENDING')
          OR (event.type = 'ReleaseStock' AND o.stock_released_at IS NULL))`;
    if (republished > 0) {
      logger.warn({ republished }, 'republishing stock requests that got no answer');
      kick();
    }
  };
  const timer = setInterval(
    () => {
      sweep().catch((error: unknown) => logger.warn({ err: error }, 'redelivery sweep failed'));
    },
    Math.max(afterMs / 4, 250),
  );
  return { stop: () => clearInterval(timer) };
}
