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
]);

function clientError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  // http.status 200 keeps a subgraph's error readable through the gateway, which turns any other
  // status into a generic "401: Unauthorized"-style error and drops the message.
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 200 } } });
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

/** Too many requests; `retryAfter` is in seconds. */
export const rateLimited = (retryAfter: number) =>
  clientError('RATE_LIMITED', `Too many requests; retry in ${retryAfter}s`, { retryAfter });

/**
 * Apollo Server `formatError`: errors written for clients keep their message and code; anything
 * else is logged in full and reaches the client as a generic INTERNAL_SERVER_ERROR, so no SQL,
 * stack or internal name ever leaks.
 */
export function createErrorMasker(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && clientSafeCodes.has(code)) {
      const { retryAfter, field } = formatted.extensions ?? {};
      return {
        message: formatted.message,
        ...(formatted.locations && { locations: formatted.locations }),
        ...(formatted.path && { path: formatted.path }),
        extensions: {
          code,
          ...(retryAfter !== undefined && { retryAfter }),
          ...(field !== undefined && { field }),
        },
      };
    }
    logger.error({ err: unwrap(error), path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

function unwrap(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}
