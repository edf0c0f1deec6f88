import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { authenticate, type AccessTokenVerifier, type Viewer } from '../auth/auth.js';
import { createInternalVerifier, internalHeader } from '../auth/internal-auth.js';
import { createErrorMasker } from '../graphql/errors.js';
import { rejectNulCharacters } from '../graphql/input-guard.js';
import {
  createOperationLimits,
  defaultOperationLimits,
  subgraphOperationLimits,
  type OperationLimits,
  type OperationLimitsSetup,
} from '../graphql/operation-limits.js';
import type { Metrics } from '../observability/metrics.js';
import { operationTelemetry } from '../observability/operation-telemetry.js';
import {
  alive,
  createGraphQLRequestListener,
  defaultBodyLimitBytes,
  probe,
} from './http-server.js';
import { serveGraphQLOverWebSocket, type OperationContext } from './ws-server.js';

export interface SubgraphOptions {
  schema: GraphQLSchema;
  logger: Logger;
  httpServer: Server;
  production: boolean;
  limits: OperationLimitsSetup;
  metrics: Metrics;
  plugins?: ApolloServerPlugin[];
}

/**
 * Apollo Server for one subgraph: federation schema, masked errors, no stack traces, and a
 * drain of the HTTP server on stop. The landing page is left to the router in production.
 */
export function createSubgraphApollo<TContext extends BaseContext>(options: SubgraphOptions) {
  const { schema, logger, httpServer, production, limits } = options;
  return new ApolloServer<TContext>({
    schema,
    validationRules: limits.apollo.validationRules,
    parseOptions: limits.apollo.parseOptions,
    formatError: createErrorMasker(logger),
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    logger,
    plugins: [
      operationTelemetry(options.metrics),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated tracing and cache hints serve Apollo's hosted studio and CDNs, which Cartograph
      // does not use; both cost work on every field of every request.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      rejectNulCharacters,
      ...limits.apollo.plugins,
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(options.plugins ?? []),
    ],
  });
}

export interface SubgraphServerOptions<TContext> {
  /** The subgraph's SDL (its `schema.graphql`). */
  typeDefs: string;
  /** Typed by codegen per subgraph; federation's resolver map is looser, hence `object`. */
  resolvers: object;
  logger: Logger;
  production: boolean;
  context: (req: IncomingMessage) => Promise<TContext>;
  corsOrigins: string;
  /** What `/ready` checks, by name: the database, Redis… */
  readiness: Record<string, () => Promise<unknown>>;
  metrics: Metrics;
  /**
   * The secret the router signs its requests with; when set, `/graphql` (HTTP and WebSocket)
   * refuses whatever did not come through the router. Production requires it.
   */
  internalSecret?: string;
  /** The client-facing limits (the defaults unless given); subgraphs add headroom for plans. */
  limits?: OperationLimits;
  /**
   * The router's request size limit (MAX_REQUEST_BYTES, 1 MiB by default). A subgraph reads
   * twice that per HTTP body or WebSocket message: the router's requests carry its clients'
   * variables inside a plan of its own, and must not be refused where the router accepted them.
   */
  maxRequestBytes?: number;
  /** Whether `/metrics` is served on this server (development); else on a listener of its own. */
  metricsOnMainPort?: boolean;
  /** Serves subscriptions over graphql-ws, with this context per operation. */
  subscriptions?: {
    verifyAccessToken: AccessTokenVerifier;
    context: (authorization: string | undefined, viewer: Viewer | null) => Promise<TContext>;
  };
}

/**
 * A subgraph's Apollo Server and HTTP server, built without listening: the entry file listens,
 * tests listen on port 0. Serves `/graphql` (HTTP, and WebSocket when it has subscriptions),
 * `/health`, `/ready` and, unless they have a listener of their own, `/metrics`.
 */
export function createSubgraphServer<TContext extends BaseContext & OperationContext>(
  options: SubgraphServerOptions<TContext>,
) {
  const { logger, metrics } = options;
  const schema = buildSubgraphSchema({
    typeDefs: parse(options.typeDefs),
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const httpServer = createServer();
  const fromRouter = options.internalSecret
    ? createInternalVerifier(options.internalSecret)
    : undefined;
  const limits = createOperationLimits(
    subgraphOperationLimits(options.limits ?? defaultOperationLimits),
  );
  const maxRequestBytes = 2 * (options.maxRequestBytes ?? defaultBodyLimitBytes);
  const { subscriptions } = options;
  const ws =
    subscriptions &&
    serveGraphQLOverWebSocket({
      httpServer,
      schema,
      parse: limits.parse,
      validationRules: limits.validationRules,
      checkCost: limits.checkCost,
      admitConnection: fromRouter && ((params) => fromRouter(params[internalHeader])),
      maxMessageBytes: maxRequestBytes,
      logger,
      metrics,
      verifyAccessToken: subscriptions.verifyAccessToken,
      context: async (value) => {
        const { viewer, authorization } = await authenticate(
          value,
          subscriptions.verifyAccessToken,
        );
        return subscriptions.context(authorization, viewer);
      },
    });
  const apollo = createSubgraphApollo<TContext>({
    schema,
    logger,
    httpServer,
    production: options.production,
    limits,
    metrics,
    plugins: ws ? [{ serverWillStart: async () => ({ drainServer: () => ws.dispose() }) }] : [],
  });
  httpServer.on(
    'request',
    createGraphQLRequestListener({
      apollo,
      context: options.context,
      logger,
      corsOrigins: options.corsOrigins,
      bodyLimitBytes: maxRequestBytes,
      admitGraphQL: fromRouter && ((req) => fromRouter(req.headers[internalHeader])),
      routes: {
        '/health': alive,
        '/ready': probe(options.readiness, logger),
        ...(options.metricsOnMainPort !== false && { '/metrics': metrics.route }),
      },
    }),
  );
  return { apollo, httpServer, schema };
}

/** What a subgraph's server takes beside its schema and context: `SubgraphConfig.http`, logger and metrics. */
export type SubgraphServerSettings = Pick<
  SubgraphServerOptions<unknown>,
  | 'logger'
  | 'metrics'
  | 'production'
  | 'limits'
  | 'maxRequestBytes'
  | 'internalSecret'
  | 'corsOrigins'
  | 'metricsOnMainPort'
>;
