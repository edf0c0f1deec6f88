import type { IncomingMessage } from 'node:http';
import {
  authenticate,
  requestIdFrom,
  requestIdHeader,
  type AccessTokenVerifier,
  type Viewer,
} from '@cartograph/shared';
import { clientAddress, type RateLimits } from './rate-limits.js';

export interface RouterContext {
  /** The client's token as `Bearer <token>`, forwarded to every subgraph, which verify it too. */
  authorization?: string;
  viewer: Viewer | null;
  /** Where the request came from; subgraphs get it as `X-Forwarded-For` (login throttling). */
  clientAddress?: string;
  /** The request's id (one per operation over WebSocket), sent on with every subgraph fetch. */
  requestId?: string;
}

export interface ContextOptions {
  verifyAccessToken: AccessTokenVerifier;
  rateLimits?: RateLimits;
  trustedProxies: number;
}

/**
 * Verifies the token and counts the request at the door: an invalid token (UNAUTHENTICATED) or
 * one request too many (RATE_LIMITED) fails it before any parsing, planning or subgraph fetch.
 */
export async function createContext(
  req: IncomingMessage,
  options: ContextOptions,
): Promise<RouterContext> {
  const { viewer, authorization } = await authenticate(
    req.headers.authorization,
    options.verifyAccessToken,
  );
  const limited = await options.rateLimits?.(req, viewer);
  if (limited) throw limited;
  return {
    authorization,
    viewer,
    clientAddress: clientAddress(req, options.trustedProxies),
    requestId: requestIdFrom(req.headers[requestIdHeader]),
  };
}
