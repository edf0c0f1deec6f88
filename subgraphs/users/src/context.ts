import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { viewerFromAuthorization, type AccessTokenVerifier, type Viewer } from '@cartograph/shared';
import type { Db } from './data/db.js';
import { createLoaders, type Loaders } from './data/loaders.js';
import type { LoginThrottle } from './domain/login-throttle.js';
import type { SessionConfig } from './domain/sessions.js';

/** What the server is built from; tests pass their own. */
export interface Deps {
  db: Db;
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionConfig;
  bcryptCost: number;
  loginThrottle: LoginThrottle;
}

export interface Context extends Deps {
  viewer: Viewer | null;
  loaders: Loaders;
  /**
   * Users who proved who they are during this request (register, login, refresh): the payload's
   * user is the caller even though the request came without an access token.
   */
  authenticatedUserIds: Set<string>;
  /** The caller's IP address, which login throttling counts failures against. */
  clientAddress: string;
}

/**
 * Callers come through the router, which puts the client's address first in x-forwarded-for;
 * a direct caller is its socket. A first entry that is no IP address is ignored rather than
 * trusted as a key.
 */
function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (first && isIP(first)) return first;
  return req.socket.remoteAddress ?? 'unknown';
}

export async function createContext(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  deps: Deps,
): Promise<Context> {
  return {
    ...deps,
    clientAddress: clientAddress(req),
    viewer: await viewerFromAuthorization(req.headers.authorization, deps.verifyAccessToken),
    loaders: createLoaders(deps.db),
    authenticatedUserIds: new Set(),
  };
}
