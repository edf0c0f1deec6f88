import type { IncomingMessage } from 'node:http';
import {
  clientAddressFromRouter,
  viewerFromAuthorization,
  type AccessTokenVerifier,
  type Viewer,
} from '@cartograph/shared';
import type { Db } from './data/db.js';
import { createLoaders, type Loaders } from './data/loaders.js';
import type { LoginThrottle } from './domain/login-throttle.js';
import type { PasswordHashGate } from './domain/password-hash-gate.js';
import type { RegistrationLimit } from './domain/registration-limit.js';
import type { SessionConfig } from './domain/sessions.js';

/** What the server is built from; tests pass their own. */
export interface Deps {
  db: Db;
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionConfig;
  bcryptCost: number;
  loginThrottle: LoginThrottle;
  registrationLimit: RegistrationLimit;
  passwordHashGate: PasswordHashGate;
}

export interface Context extends Deps {
  viewer: Viewer | null;
  loaders: Loaders;
  /**
   * Users who proved who they are during this request (register, login, refresh): the payload's
   * user is the caller even though the request came without an access token.
   */
  authenticatedUserIds: Set<string>;
  /** The client's IP address, which login, registration and hashing limits count against. */
  clientAddress: string;
}

/**
 * `fromRouter` verifies the router's signature (INTERNAL_SECRET); the client's address comes from
 * X-Forwarded-For only on requests the router sent.
 */
export async function createContext(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  deps: Deps,
  fromRouter: ((signature: unknown) => boolean) | undefined,
): Promise<Context> {
  return {
    ...deps,
    clientAddress: clientAddressFromRouter(req, fromRouter),
    viewer: await viewerFromAuthorization(req.headers.authorization, deps.verifyAccessToken),
    loaders: createLoaders(deps.db),
    authenticatedUserIds: new Set(),
  };
}
