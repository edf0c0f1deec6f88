import type { IncomingMessage, Server } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  execute as graphqlExecute,
  subscribe as graphqlSubscribe,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type SubscribePayload, type Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticate, type AccessTokenVerifier, type Viewer } from '../auth/auth.js';
import { guardStream } from '../events/streams.js';
import {
  createErrorMasker,
  rateLimited,
  unauthenticated,
  withoutSuggestions,
} from '../graphql/errors.js';
import { operationContainsNul } from '../graphql/input-guard.js';
import type { Metrics } from '../observability/metrics.js';
import { createClientSlots } from './client-slots.js';
import { defaultBodyLimitBytes } from './http-server.js';
import { requestIdFrom } from './request-id.js';

/**
 * What an operation yields: graphql-js's results, or results already formatted (the router's,
 * from Apollo Server or a subgraph), which graphql-ws sends as they are and which are masked the
 * same way.
 */
type OperationResult = ExecutionResult | FormattedExecutionResult;
type MaybeAsyncResult =
  | Promise<AsyncIterable<OperationResult> | OperationResult>
  | AsyncIterable<OperationResult>
  | OperationResult;

/** Who an operation runs as: what the server needs of every context (its token's expiry). */
export interface OperationContext {
  viewer: Viewer | null;
}

/** An operation as `subscribe` and `execute` get it, with the context `context` built. */
export type OperationArgs<TContext> = ExecutionArgs & { contextValue: TContext };

export interface WsServerOptions<TContext extends OperationContext> {
  httpServer: Server;
  path?: string;
  schema: GraphQLSchema;
  logger: Logger;
  /** Verifies the token a connection brings in `connection_init`. */
  verifyAccessToken: AccessTokenVerifier;
  /**
   * One operation's context, built before anything of it is parsed, from the `Authorization`
   * value it runs with: its own from `extensions` (the router's multiplexing), else its
   * connection's. It decides that value (`authenticate`'s rule, as HTTP does) and may refuse the
   * operation (rate limits) by throwing a GraphQL error, which fails this operation alone.
   */
  context: (
    authorization: unknown,
    request: IncomingMessage,
    /** The operation's own id: the router's, from `extensions.requestId`, or a new one. */
    requestId: string,
  ) => Promise<TContext>;
  metrics?: Metrics;
  /** The largest message a client may send (HTTP's body limit by default); larger closes with 1009. */
  maxMessageBytes?: number;
  /** Operation limits: armor's token-counting parser and its validation rules. */
  parse?: (source: string) => DocumentNode;
  validationRules?: readonly ValidationRule[];
  /** The cost limit, once the document is valid and its variables known. */
  checkCost?: (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ) => GraphQLError | undefined;
  /** The router plans subscriptions through the supergraph; subgraphs use graphql-js's. */
  subscribe?: (args: OperationArgs<TContext>) => MaybeAsyncResult;
  execute?: (args: OperationArgs<TContext>) => MaybeAsyncResult;
  /** Whether a connection may open at all, from its `connection_init` payload. */
  admitConnection?: (params: Record<string, unknown>) => boolean;
  /** Live subscriptions one connection may hold. */
  maxSubscriptionsPerConnection?: number;
  /**
   * Caps per client, counted in this process: open connections (over it, closed with 4429) and
   * live subscriptions over all of them (over it, RATE_LIMITED). 0 is no cap.
   */
  perClient?: {
    /** Who a connection belongs to: the router's client address. */
    key: (request: IncomingMessage) => string;
    maxConnections: number;
    maxSubscriptions: number;
  };
  /** Runs before parsing; an error refuses the operation (the router's trusted documents). */
  checkDocument?: (
    query: string,
    extensions: Record<string, unknown> | undefined,
  ) => GraphQLError | undefined;
}

interface ConnectionState {
  authorization?: string;
  expiry?: NodeJS.Timeout;
  /**
   * Releases of the per-client subscription slots this connection's operations hold, by their
   * `subscribe` payload: an id may be reused once its operation ends, a payload never is.
   */
  slots: Map<object, () => void>;
}

const expiredMessage = 'Access token expired';
const operationExpiryGraceMs = 1000;

/** An error of variable coercion, which graphql-js ties to the variable's definition alone. */
const isVariableError = (error: GraphQLError) =>
  error.nodes?.length === 1 && error.nodes[0]!.kind === Kind.VARIABLE_DEFINITION;

/** How a connection over its client's cap is closed: a code and reason a client can read. */
export const tooManyConnections = { code: 4429, reason: 'Too many connections' } as const;
/** What RATE_LIMITED says to wait when a client holds its most subscriptions. */
const subscriptionCapRetryAfterSeconds = 5;

/**
 * A failure as the GraphQL error of the one operation it belongs to. graphql-ws closes the whole
 * connection (4500) on anything thrown while it handles a message, and on an `onSubscribe`
 * answer that is not all GraphQLErrors; the router's upstream connections carry many clients'
 * operations, so one failing operation must never get that far. Anything unexpected is masked
 * (INTERNAL_SERVER_ERROR, logged with its request id) by `onError`/`onNext` like every error.
 */
const asGraphQLError = (error: unknown) =>
  error instanceof GraphQLError
    ? error
    : new GraphQLError('Internal server error', {
        originalError: error instanceof Error ? error : new Error(String(error)),
      });

/** Runs an operation's subscribe or execute, answering a throw as the operation's error. */
async function settle(run: () => MaybeAsyncResult) {
  try {
    return await run();
  } catch (error) {
    return { errors: [asGraphQLError(error)] };
  }
}

/** Operations one connection may hold unless configured otherwise (the router spreads over this). */
export const defaultMaxSubscriptionsPerConnection = 100;

/**
 * GraphQL over WebSocket (the graphql-transport-ws protocol) on a service's HTTP server, at the
 * same path as HTTP. The token comes with `connection_init` (`{ authorization }`) or, when the
 * router multiplexes many clients over one connection, with each operation's `extensions`,
 * under HTTP's rule (`authenticate`): a bad one in connection_init closes the connection (4403),
 * one in an operation fails that operation (the `context` hook decides it). Every operation gets the same limits, NUL guard,
 * validation and error masking as over HTTP, and whatever fails while it starts is its own
 * error, never the connection's end; a connection closes (4401) and a subscription ends with
 * UNAUTHENTICATED when its token expires.
 */
export function serveGraphQLOverWebSocket<TContext extends OperationContext>(
  options: WsServerOptions<TContext>,
) {
  const { logger, schema, metrics } = options;
  const mask = createErrorMasker(logger);
  // Errors arrive as GraphQLErrors (graphql-js, or rewrapped by graphql-ws from a failing event
  // stream, with the code on the original) or already formatted (from Apollo or a subgraph).
  const maskAll = (
    errors: readonly (GraphQLError | GraphQLFormattedError)[],
    requestId: string | undefined,
  ) =>
    errors.map((error) => {
      if (!(error instanceof GraphQLError)) return mask(error, error, requestId);
      // graphql-js gives a variable of the wrong type no code; Apollo calls it BAD_USER_INPUT.
      if (error.extensions.code === undefined && isVariableError(error)) {
        const formatted = error.toJSON();
        return mask(
          { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } },
          error,
          requestId,
        );
      }
      const original = error.originalError instanceof GraphQLError ? error.originalError : error;
      return mask(original.toJSON(), original, requestId);
    });
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const connections = new WeakMap<object, ConnectionState>();
  /** When each operation's token expires, by its context. */
  const expiries = new WeakMap<object, number>();
  /** Each operation's id, by its `subscribe` message's payload, which every hook receives. */
  const operationIds = new WeakMap<object, string>();
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path ?? '/graphql',
    // `ws` reads up to 100 MiB per message unless told otherwise.
    maxPayload: options.maxMessageBytes ?? defaultBodyLimitBytes,
  });
  const { perClient } = options;
  const connectionSlots = createClientSlots(perClient?.maxConnections ?? 0);
  const subscriptionSlots = createClientSlots(perClient?.maxSubscriptions ?? 0);
  /** Sockets closed for their client's connection cap; nothing they send is handled. */
  const refused = new WeakSet<WebSocket>();
  // Counted from the moment a socket opens, so sockets that never send connection_init count too.
  if (perClient) {
    wsServer.on('connection', (socket, request) => {
      const release = connectionSlots.take(perClient.key(request));
      if (!release) {
        refused.add(socket);
        socket.close(tooManyConnections.code, tooManyConnections.reason);
        return;
      }
      socket.once('close', release);
    });
  }

  /** Everything before an operation runs; a GraphQL error refuses just this operation. */
  async function prepare(ctx: WsContext, payload: SubscribePayload, requestId: string) {
    const state = connections.get(ctx)!;
    const limit = options.maxSubscriptionsPerConnection ?? defaultMaxSubscriptionsPerConnection;
    if (Object.keys(ctx.subscriptions).length > limit) {
      return [
        new GraphQLError(`At most ${limit} operations per connection`, {
          extensions: { code: 'BAD_REQUEST' },
        }),
      ];
    }
    // A token carried by the operation (the router's multiplexing) wins over the connection's.
    const own = payload.extensions?.authorization;
    const request = (ctx.extra as { request: IncomingMessage }).request;
    const contextValue = await options.context(
      own === undefined ? state.authorization : own,
      request,
      requestId,
    );
    const refusedDocument = options.checkDocument?.(payload.query, payload.extensions ?? undefined);
    if (refusedDocument) return [refusedDocument];
    let document;
    try {
      document = (options.parse ?? parse)(payload.query);
    } catch (error) {
      return [
        new GraphQLError((error as Error).message, {
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        }),
      ];
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) {
      return invalid.map(
        (error) =>
          new GraphQLError(withoutSuggestions(error.message), {
            nodes: error.nodes,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
      );
    }
    const tooCostly = options.checkCost?.(
      schema,
      document,
      payload.operationName,
      payload.variables,
    );
    if (tooCostly) return [tooCostly];
    if (operationContainsNul(document, payload.variables)) {
      return [
        new GraphQLError('input: text must not contain the NUL character (U+0000)', {
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ];
    }
    // A token from connection_init expires with its connection (closed with 4401); one
    // carried by the operation (the router's multiplexing) ends just that operation.
    const { viewer } = contextValue;
    if (viewer && own !== undefined) expiries.set(contextValue, viewer.expiresAt);
    if (
      perClient &&
      getOperationAST(document, payload.operationName)?.operation === 'subscription'
    ) {
      const release = subscriptionSlots.take(perClient.key(request));
      if (!release) return [rateLimited(subscriptionCapRetryAfterSeconds)];
      state.slots.set(payload, release);
    }
    return {
      schema,
      document,
      variableValues: payload.variables,
      operationName: payload.operationName,
      contextValue,
    };
  }

  const server = useServer(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx: WsContext) => {
        const state: ConnectionState = { slots: new Map() };
        connections.set(ctx, state);
        const socket = (ctx.extra as { socket: WebSocket }).socket;
        if (refused.has(socket)) return false;
        if (options.admitConnection && !options.admitConnection(ctx.connectionParams ?? {})) {
          return false;
        }
        try {
          const { viewer, authorization } = await authenticate(
            ctx.connectionParams?.authorization,
            options.verifyAccessToken,
          );
          if (!viewer) return true;
          state.authorization = authorization;
          state.expiry = setTimeout(
            () => socket.close(CloseCode.Unauthorized, expiredMessage),
            viewer.expiresAt * 1000 - Date.now(),
          );
          return true;
        } catch {
          return false;
        }
      },
      onClose: (ctx) => {
        const state = connections.get(ctx);
        clearTimeout(state?.expiry);
        for (const release of state?.slots.values() ?? []) release();
      },
      onComplete: (ctx, _id, payload) => {
        const state = connections.get(ctx);
        state?.slots.get(payload)?.();
        state?.slots.delete(payload);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const requestId = requestIdFrom(payload.extensions?.requestId);
        operationIds.set(payload, requestId);
        try {
          return await prepare(ctx, payload, requestId);
        } catch (error) {
          return [asGraphQLError(error)];
        }
      },
      // `prepare` built every operation's context; formatted results go out as they are.
      subscribe: (args) =>
        settle(() =>
          (options.subscribe ?? graphqlSubscribe)(args as OperationArgs<TContext>),
        ) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>,
      execute: (args) =>
        settle(() =>
          (options.execute ?? graphqlExecute)(args as OperationArgs<TContext>),
        ) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>,
      onOperation: (_ctx, _id, _payload, args, result) => {
        if (!(Symbol.asyncIterator in Object(result))) return undefined;
        const expiresAt = expiries.get(args.contextValue as object);
        metrics?.activeSubscriptions.inc();
        const source = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
        return guardStream(source, {
          // A second late: a client's connection-level expiry (4401, the router's) comes first,
          // rather than racing the same subscription's end from the subgraph upstream.
          endAt: expiresAt && expiresAt * 1000 + operationExpiryGraceMs,
          error: () => unauthenticated(expiredMessage),
          onEnd: () => metrics?.activeSubscriptions.dec(),
        }) as AsyncGenerator<ExecutionResult>;
      },
      onNext: (_ctx, _id, payload, _args, result) =>
        result.errors
          ? { ...result, errors: maskAll(result.errors, operationIds.get(payload)) }
          : undefined,
      onError: (_ctx, _id, payload, errors) => maskAll(errors, operationIds.get(payload)),
    },
    wsServer,
  );
  return {
    async dispose() {
      await server.dispose();
      wsServer.close();
    },
  };
}
