import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { internalHeader } from './internal-auth.js';

/*
 * Where a request came from, which every per-address limit counts against. Both rules read
 * `X-Forwarded-For`, which anyone can write; they differ in whom they believe it from, because
 * they stand in different places:
 * - at the edge, the router believes the proxies its operator put in front of it
 *   (`clientAddressBehindProxies`, TRUSTED_PROXIES);
 * - behind the router, a subgraph believes the router alone (`clientAddressFromRouter`), which
 *   sends its client's address in that header, signed.
 */

type Request = Pick<IncomingMessage, 'headers' | 'socket'>;

/**
 * The router's rule. `trustedProxies` is how many proxies in front of the router append to
 * `X-Forwarded-For`: 0 uses the socket's address, 1 the address the nearest proxy saw, 2 the one
 * the proxy before it saw. Entries further left were written by whoever sent the request.
 */
export function clientAddressBehindProxies(req: Request, trustedProxies: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return socketAddress;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustedProxies] ?? forwarded[0] ?? socketAddress;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (how a dual-stack socket reports 127.0.0.1). */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

/**
 * A subgraph's rule. The router passes its client's address as the first entry of
 * `X-Forwarded-For`; a subgraph believes it on a request carrying a valid router signature
 * (`fromRouter`, the INTERNAL_SECRET verifier), or, when no secret is configured (development),
 * from a loopback peer. Otherwise, or when that entry is no IP address, it is the socket's own
 * address.
 */
export function clientAddressFromRouter(
  req: Request,
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
