import type { IncomingMessage } from 'node:http';
import { viewerFromAuthorization, type AccessTokenVerifier, type Viewer } from '@cartograph/shared';

export interface RouterContext {
  /** The client's header, forwarded as is to every subgraph, which verify it themselves. */
  authorization?: string;
  viewer: Viewer | null;
}

/**
 * Verifies the token at the door: a present but invalid token fails the whole request with
 * UNAUTHENTICATED before any planning or subgraph fetch.
 */
export async function createContext(
  req: Pick<IncomingMessage, 'headers'>,
  verifyAccessToken: AccessTokenVerifier,
): Promise<RouterContext> {
  const authorization = req.headers.authorization;
  return { authorization, viewer: await viewerFromAuthorization(authorization, verifyAccessToken) };
}
