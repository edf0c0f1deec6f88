import { randomUUID } from 'node:crypto';

/**
 * The header a request's id travels in: from a client or proxy, back in the response, and from
 * the router to every subgraph, so the log lines of one request share it across services.
 */
export const requestIdHeader = 'x-request-id';

// An id from outside lands verbatim in logs and headers: short, and no room for injection.
const plausible = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's id when it is a plausible one, else a new one. */
export function requestIdFrom(given: unknown): string {
  return typeof given === 'string' && plausible.test(given) ? given : randomUUID();
}
