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
 * Counts the request against its address, verifies the token, then counts it against its user:
 * one request too many (RATE_LIMITED) or an invalid token (UNAUTHENTICATED) fails it before any
 * parsing, planning or subgraph fetch. Counting the address first limits forged tokens too.
 */
export async function createContext(
  req: IncomingMessage,
  options: ContextOptions,
): Promise<RouterContext> {
  const fromAddress = await options.rateLimits?.address(req);
  if (fromAddress) throw fromAddress;
  const { viewer, authorization } = await authenticate(
    req.headers.authorization,
    options.verifyAccessToken,
  );
  const fromUser = viewer && (await options.rateLimits?.user(viewer));
  if (fromUser) throw fromUser;
  return {
    authorization,
    viewer,
    clientAddress: clientAddress(req, options.trustedProxies),
    requestId: requestIdFrom(req.headers[requestIdHeader]),
  };
}
