import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { internalHeader } from './internal-auth.js';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (how a dual-stack socket reports 127.0.0.1). */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

/**
 * The client address a subgraph counts limits against. The router passes its client's address
 * in `X-Forwarded-For`, which anyone can write, so a subgraph believes it only from the router:
 * on a request carrying a valid router signature (`fromRouter`, the INTERNAL_SECRET verifier),
 * or, when no secret is configured (development), from a loopback peer. Otherwise, or when the
 * header's first entry is no IP address, it is the socket's own address.
 *
 * Not the router's `clientAddress`, which counts hops of trusted proxies in front of the router.
 */
export function forwardedClientAddress(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  fromRouter: ((signature: unknown) => boolean) | undefined,
): string {
  const peer = req.socket.remoteAddress;
  const trusted = fromRouter ? fromRouter(req.headers[internalHeader]) : isLoopback(peer);
  if (trusted) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first && isIP(first)) return first;
  }
  return peer ?? 'unknown';
}
