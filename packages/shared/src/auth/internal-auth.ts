import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header (and graphql-ws connection parameter) that marks a request as the router's. */
export const internalHeader = 'x-cartograph-internal';

const sign = (secret: string, seconds: number) =>
  createHmac('sha256', secret).update(`cartograph-internal:${seconds}`).digest('base64url');

/**
 * The router's proof that a request came through it: `<unix seconds>.<HMAC-SHA256>` under a
 * secret only the router and the subgraphs hold. It changes every second and expires, so a
 * leaked value is useless within a minute; it is computed once per second, not per request.
 */
export function createInternalSigner(secret: string): () => string {
  let seconds = 0;
  let value = '';
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== seconds) {
      seconds = now;
      value = `${now}.${sign(secret, now)}`;
    }
    return value;
  };
}

/** Checks a signer's value: right secret, and at most `maxSkewSeconds` away from now. */
export function createInternalVerifier(secret: string, maxSkewSeconds = 60) {
  return (value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    const dot = value.indexOf('.');
    const seconds = Number(value.slice(0, dot));
    if (dot < 1 || !Number.isInteger(seconds)) return false;
    if (Math.abs(Date.now() / 1000 - seconds) > maxSkewSeconds) return false;
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(sign(secret, seconds));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
