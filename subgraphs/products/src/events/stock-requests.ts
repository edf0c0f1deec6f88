import type { IncomingEvent } from '@cartograph/shared';
import type { Db } from '../data/db.js';
import { releaseStock, reserveStock } from '../data/reservation-store.js';

/** The events the products subgraph consumes from `stock:requests`. */
export const handledRequests = ['ReserveStock', 'ReleaseStock'] as const;

/** Handles one stock request; the caller publishes the outbox afterwards. */
export async function handleStockRequest(db: Db, event: IncomingEvent): Promise<void> {
  if (event.type === 'ReserveStock') await reserveStock(db, event.id, event.payload);
  if (event.type === 'ReleaseStock') await releaseStock(db, event.id, event.payload);
}
