import type { IncomingMessage } from 'node:http';
import { viewerFromAuthorization, type AccessTokenVerifier, type Viewer } from '@cartograph/shared';
import type { Db } from './data/db.js';
import { createLoaders, type Loaders } from './data/loaders.js';
import type { SessionConfig } from './domain/sessions.js';

/** What the server is built from; tests pass their own. */
export interface Deps {
  db: Db;
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionConfig;
  bcryptCost: number;
}

export interface Context extends Deps {
  viewer: Viewer | null;
  loaders: Loaders;
  /**
   * Users who proved who they are during this request (register, login, refresh): the payload's
   * user is the caller even though the request came without an access token.
   */
  authenticatedUserIds: Set<string>;
}

export async function createContext(
  req: Pick<IncomingMessage, 'headers'>,
  deps: Deps,
): Promise<Context> {
  return {
    ...deps,
    viewer: await viewerFromAuthorization(req.headers.authorization, deps.verifyAccessToken),
    loaders: createLoaders(deps.db),
    authenticatedUserIds: new Set(),
  };
}
