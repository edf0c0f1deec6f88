import type { IncomingMessage } from 'node:http';
import {
  authenticate,
  clientAddressBehindProxies,
  type AccessTokenVerifier,
  type Viewer,
} from '@cartograph/shared';
import type { RateLimits } from './rate-limits.js';

export interface RouterContext {
  /** The client's token as `Bearer <token>`, forwarded to every subgraph, which verify it too. */
  authorization?: string;
  viewer: Viewer | null;
  /** Where the request came from; subgraphs get it as `X-Forwarded-For` (login throttling). */
  clientAddress: string;
  /** The request's id (one per operation over WebSocket), sent on with every subgraph fetch. */
  requestId: string;
}

export interface ContextOptions {
  verifyAccessToken: AccessTokenVerifier;
  /** Without them nothing is rate limited. */
  rateLimits?: RateLimits;
  /** Proxies in front of the router whose `X-Forwarded-For` entries are believed. */
  trustedProxies: number;
}

/**
 * The one way an operation gets its context, over HTTP (the `Authorization` header) and over
 * graphql-ws (the operation's token, else its connection's) alike, and the one place the router
 * rate-limits operations. It counts the operation against its client address, decides the token
 * (`authenticate`'s rule), then counts it against its user: one request too many (RATE_LIMITED)
 * or a bad token (UNAUTHENTICATED) fails it before any parsing, planning or subgraph fetch.
 * Counting the address first limits forged tokens too.
 */
export function createContextBuilder(options: ContextOptions) {
  const { verifyAccessToken, rateLimits, trustedProxies } = options;
  return async function routerContext(
    authorization: unknown,
    request: IncomingMessage,
    requestId: string,
  ): Promise<RouterContext> {
    const clientAddress = clientAddressBehindProxies(request, trustedProxies);
    const fromAddress = await rateLimits?.address(clientAddress);
    if (fromAddress) throw fromAddress;
    const identity = await authenticate(authorization, verifyAccessToken);
    const fromUser = identity.viewer && (await rateLimits?.user(identity.viewer));
    if (fromUser) throw fromUser;
    return {
      authorization: identity.authorization,
      viewer: identity.viewer,
      clientAddress,
      requestId,
    };
  };
}

export type ContextBuilder = ReturnType<typeof createContextBuilder>;
