import type { IncomingMessage } from 'node:http';
import { clientAddressFromRouter, type SubgraphContext } from '@cartograph/shared';
import type { Db } from './data/db.js';
import type { Loaders } from './data/loaders.js';
import type { LoginThrottle } from './domain/login-throttle.js';
import type { PasswordHashGate } from './domain/password-hash-gate.js';
import type { RegistrationLimit } from './domain/registration-limit.js';
import type { SessionConfig } from './domain/sessions.js';

/** What the resolvers use beside the caller and the request's loaders; tests pass their own. */
export interface Deps {
  db: Db;
  sessions: SessionConfig;
  bcryptCost: number;
  loginThrottle: LoginThrottle;
  registrationLimit: RegistrationLimit;
  passwordHashGate: PasswordHashGate;
}

/** What each request adds to the users subgraph's context beside `Deps`, viewer and loaders. */
export interface RequestContext {
  /**
   * Users who proved who they are during this request (register, login, refresh): the payload's
   * user is the caller even though the request came without an access token.
   */
  authenticatedUserIds: Set<string>;
  /** The client's IP address, which login, registration and hashing limits count against. */
  clientAddress: string;
}

export type Context = SubgraphContext<Deps, Loaders> & RequestContext;

/**
 * `fromRouter` verifies the router's signature (INTERNAL_SECRET); the client's address comes from
 * X-Forwarded-For only on requests the router sent.
 */
export function requestContext(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  fromRouter: ((signature: unknown) => boolean) | undefined,
): RequestContext {
  return {
    clientAddress: clientAddressFromRouter(req, fromRouter),
    authenticatedUserIds: new Set(),
  };
}
