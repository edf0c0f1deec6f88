import type { IncomingMessage } from 'node:http';
import {
  viewerFromAuthorization,
  type AccessTokenVerifier,
  type EventHub,
  type EventRuntime,
  type Viewer,
} from '@cartograph/shared';
import type { Db } from './data/db.js';
import { createLoaders, type Loaders } from './data/loaders.js';
import type { OrderChangeEvent } from './events/order-changes.js';

/** What the server is built from; tests pass their own. */
export interface Deps {
  db: Db;
  verifyAccessToken: AccessTokenVerifier;
  /** Publishes what mutations enqueued (stock requests) as soon as they commit. */
  events: Pick<EventRuntime, 'kick'>;
  /** Status changes from every replica, for subscriptions. */
  orderChanges: EventHub<OrderChangeEvent>;
}

export interface Context extends Deps {
  viewer: Viewer | null;
  loaders: Loaders;
}

export async function createContext(
  req: Pick<IncomingMessage, 'headers'>,
  deps: Deps,
): Promise<Context> {
  return {
    ...deps,
    viewer: await viewerFromAuthorization(req.headers.authorization, deps.verifyAccessToken),
    loaders: createLoaders(deps.db),
  };
}
