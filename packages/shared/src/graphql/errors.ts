import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';

/** The `extensions.code` values the contract promises clients, beside Apollo's own. */
export type ErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED';

/**
 * Codes whose message is written for clients and may pass through unchanged. The Apollo codes
 * cover malformed operations, bad variables and persisted-query negotiation.
 */
const clientSafeCodes = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  // Subscriptions: a service a live subscription depends on went away, or its client could
  // not keep up with its events. Both end the subscription; subscribing again is the remedy.
  'SERVICE_UNAVAILABLE',
  'SUBSCRIBER_TOO_SLOW',
  // The router runs only its trusted documents, and this was not one.
  'OPERATION_NOT_TRUSTED',
]);

/**
 * The longest message a client is sent. graphql-js copies what the client wrote into its
 * messages whole (a 1 MB string literal of the wrong type comes back twice), so every message
 * is cut here, once, on its way out of any service.
 */
export const maxClientMessageLength = 300;

const suggestion = 'Did you mean';

/**
 * The message without graphql-js's "Did you mean …?" suggestion, which names fields the client
 * did not write. graphql-js always puts it last, so the message ends where the phrase first
 * appears; when the client's own text holds the phrase, its rest goes too. One `indexOf`, so
 * linear whatever the message: a pattern such as `/ ?Did you mean .+\?/` backtracks over the
 * rest of the message at every occurrence, quadratic on hostile input.
 */
export function withoutSuggestions(message: string): string {
  const at = message.indexOf(suggestion);
  return at === -1 ? message : message.slice(0, at).trimEnd();
}

/** What a client may read of a message: no suggestion, at most `maxClientMessageLength`. */
export function clientMessage(message: string): string {
  const kept = withoutSuggestions(message);
  if (kept.length <= maxClientMessageLength) return kept;
  let end = maxClientMessageLength - 1;
  // Never split a surrogate pair: half a character is not valid Unicode text.
  const last = kept.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${kept.slice(0, end)}…`;
}

function clientError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  // http.status 200 keeps a subgraph's error readable through the gateway, which turns any other
  // status into a generic "401: Unauthorized"-style error and drops the message.
  return new GraphQLError(message, { extensions: { code, http: { status: 200 }, ...extensions } });
}

/** No valid access token where one is needed, or a token that is present but invalid. */
export const unauthenticated = (message = 'Authentication required') =>
  clientError('UNAUTHENTICATED', message);

/** Authenticated, but not allowed. */
export const forbidden = (message = 'Not allowed') => clientError('FORBIDDEN', message);

/** The input is invalid: names the field and says why. */
export const badInput = (field: string, why: string) =>
  clientError('BAD_USER_INPUT', `${field}: ${why}`, { field });

/** The object does not exist or is not visible to the caller. */
export const notFound = (type: string) => clientError('NOT_FOUND', `${type} not found`);

/** A uniqueness or state conflict. */
export const conflict = (message: string) => clientError('CONFLICT', message);

/**
 * Too many requests; `retryAfter` is in seconds. A subgraph answers it as 200 (so the gateway
 * passes it on); the router, at its door, as `http` says: 429 with Retry-After.
 */
export const rateLimited = (retryAfter: number, http?: { status: number; headers: unknown }) =>
  clientError('RATE_LIMITED', `Too many requests; retry in ${retryAfter}s`, {
    retryAfter,
    ...(http && { http }),
  });

/**
 * Which request each error happened in, for the masker: Apollo calls `formatError` without the
 * request's context, but with the very error objects its plugins saw in `didEncounterErrors`.
 * Weak, so an error and its entry go together.
 */
const requestIdOfError = new WeakMap<object, string>();

/** Ties errors to the request they happened in, for `createErrorMasker` to report. */
export function attributeErrors(errors: readonly unknown[], requestId: string) {
  for (const error of errors) {
    if (typeof error === 'object' && error !== null) requestIdOfError.set(error, requestId);
  }
}

/** The code a client is shown for an error with this code: its own, or INTERNAL_SERVER_ERROR. */
export const clientFacingCode = (code: unknown) =>
  typeof code === 'string' && clientSafeCodes.has(code) ? code : 'INTERNAL_SERVER_ERROR';

const attributedRequestId = (error: unknown) =>
  typeof error === 'object' && error !== null
    ? (requestIdOfError.get(error) ?? requestIdOfError.get(unwrap(error) as object))
    : undefined;

/**
 * Apollo Server `formatError`: errors written for clients keep their message (without
 * suggestions, cut to `maxClientMessageLength`) and code; anything
 * else is logged in full and reaches the client as a generic INTERNAL_SERVER_ERROR, so no SQL,
 * stack or internal name ever leaks. The log line and the client's error share a request id
 * (given, attributed to the error, or new), which is what a user quotes to support.
 */
export function createErrorMasker(logger: Logger) {
  return (
    formatted: GraphQLFormattedError,
    error: unknown,
    requestId = attributedRequestId(error) ?? randomUUID(),
  ): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && clientSafeCodes.has(code)) {
      const { retryAfter, field } = formatted.extensions ?? {};
      return {
        message: clientMessage(formatted.message),
        ...(formatted.locations && { locations: formatted.locations }),
        ...(formatted.path && { path: formatted.path }),
        extensions: {
          code,
          ...(retryAfter !== undefined && { retryAfter }),
          ...(field !== undefined && { field }),
        },
      };
    }
    logger.error({ err: unwrap(error), path: formatted.path, requestId }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    };
  };
}

function unwrap(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}
