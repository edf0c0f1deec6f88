import { createServer, type RequestListener } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  alive,
  createErrorMasker,
  createGraphQLRequestListener,
  createInternalSigner,
  createMetrics,
  createOperationLimits,
  defaultBodyLimitBytes,
  defaultMaxSubscriptionsPerConnection,
  internalHeader,
  operationTelemetry,
  probe,
  rejectNulCharacters,
  serveGraphQLOverWebSocket,
  type AccessTokenVerifier,
  type Logger,
  type OperationLimits,
} from '@cartograph/shared';
import { print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { Gauge } from 'prom-client';
import { apqRegistrationLimits, persistedQueriesInRedis, type ApqOptions } from './apq-cache.js';
import { createContext, type RouterContext } from './context.js';
import { persistedQueriesPlugin } from './persisted-queries.js';
import { clientAddress, type RateLimits } from './rate-limits.js';
import { SubgraphDataSource, type SubgraphPoolOptions } from './subgraph-data-source.js';
import { createSubscriptionGateway } from './subscription-gateway.js';
import { trackingPage, trackingScript } from './track/page.js';
import {
  operationNotTrusted,
  trustedDocument,
  type TrustedDocuments,
} from './trusted-documents.js';
import { createUpstreamSubscriptions } from './upstream-subscriptions.js';

export interface SubscriptionLimits {
  /** Events one subscription may have waiting for a slow client before it is ended. */
  queueLimit: number;
  /** Reconnection attempts to a subgraph that went away, before its subscriptions end. */
  retryAttempts: number;
  maxPerConnection: number;
  /** Per client address, in this process (0 = no cap): open sockets, and live subscriptions. */
  maxConnectionsPerAddress: number;
  maxPerAddress: number;
}

export interface RouterOptions {
  supergraphSdl: string;
  /** Overrides of the URLs the supergraph names, by subgraph name. */
  subgraphUrls: Record<string, string>;
  subgraphPool: SubgraphPoolOptions;
  subscriptions: SubscriptionLimits;
  /** Depth, aliases, tokens, cost and directives per operation, on HTTP and graphql-ws alike. */
  limits: OperationLimits;
  /** The largest HTTP body or WebSocket message a client may send (MAX_REQUEST_BYTES, 1 MiB). */
  maxRequestBytes?: number;
  /** Whether `/metrics` is on the public port (development, the default); else on its own listener. */
  metricsOnMainPort?: boolean;
  /** What `/ready` checks beside the subgraphs: Redis, which rate limits and APQ live in. */
  readiness?: Record<string, () => Promise<unknown>>;
  /** Counts every operation, HTTP and graphql-ws; without it nothing is rate limited. */
  rateLimits?: RateLimits;
  /** Proxies whose `X-Forwarded-For` is believed (see rate-limits.ts). */
  trustedProxies: number;
  /** Signs every subgraph request, so subgraphs can refuse traffic that skipped the router. */
  internalSecret?: string;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
  /** Apollo Sandbox on the router's URL, and introspection. */
  introspection: boolean;
  corsOrigins: string;
  /** Automatic persisted queries over HTTP, in Redis; without it the router has none. */
  apq?: ApqOptions;
  /** When given, the router runs only these documents, on HTTP and graphql-ws, and APQ is off. */
  trustedDocuments?: TrustedDocuments;
}

const toGraphQL: RequestListener = (_req, res) => {
  res.writeHead(302, { location: '/graphql' });
  res.end();
};

/**
 * Builds the router without listening: `index.ts` listens, tests listen on port 0. Queries and
 * mutations go through @apollo/gateway over HTTP (or graphql-ws); subscriptions over graphql-ws
 * go through the subscription gateway.
 */
export function createRouter(options: RouterOptions) {
  const { logger } = options;
  const metrics = createMetrics('router');
  const subgraphs = new Map<string, SubgraphDataSource>();
  const signature = options.internalSecret
    ? createInternalSigner(options.internalSecret)
    : undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const source = new SubgraphDataSource(
        name,
        options.subgraphUrls[name] ?? url!,
        options.subgraphPool,
        signature,
      );
      subgraphs.set(name, source);
      return source;
    },
  });
  const httpServer = createServer();
  const upstream = createUpstreamSubscriptions({
    urlOf: (name) => subgraphs.get(name)!.url,
    logger,
    queueLimit: options.subscriptions.queueLimit,
    retryAttempts: options.subscriptions.retryAttempts,
    perConnection: defaultMaxSubscriptionsPerConnection,
    // Subgraphs read twice the router's request limit (see createSubgraphServer).
    maxOutgoingBytes: 2 * (options.maxRequestBytes ?? defaultBodyLimitBytes),
    maxIncomingBytes: options.subgraphPool.maxResponseBytes,
    connectionParams: signature && (() => ({ [internalHeader]: signature() })),
    gauges: {
      subscriptions: new Gauge({
        name: 'cartograph_upstream_subscriptions',
        help: 'Subscriptions the router holds open to subgraphs',
        registers: [metrics.registry],
      }),
      connections: new Gauge({
        name: 'cartograph_upstream_connections',
        help: 'WebSocket connections the router holds open to subgraphs',
        registers: [metrics.registry],
      }),
    },
  });
  const subscriptionGateway = createSubscriptionGateway({
    supergraphSdl: options.supergraphSdl,
    dataSources: subgraphs,
    upstream,
    logger,
  });
  const limits = createOperationLimits(options.limits);
  const { apq, trustedDocuments } = options;
  const apollo: ApolloServer<RouterContext> = new ApolloServer<RouterContext>({
    gateway,
    validationRules: limits.apollo.validationRules,
    parseOptions: limits.apollo.parseOptions,
    formatError: createErrorMasker(logger),
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection,
    logger,
    persistedQueries: apq && !trustedDocuments ? persistedQueriesInRedis(apq, logger) : false,
    plugins: [
      // First: it may replace the request's document before any other plugin looks at it.
      persistedQueriesPlugin(
        trustedDocuments,
        apq && !trustedDocuments ? apqRegistrationLimits(apq, logger) : undefined,
      ),
      operationTelemetry(metrics),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints are used, so computing a cache policy per request is wasted work.
      ApolloServerPluginCacheControlDisabled(),
      rejectNulCharacters,
      ...limits.apollo.plugins,
      options.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
    ],
  });
  const ws = serveGraphQLOverWebSocket({
    httpServer,
    schema: subscriptionGateway.schema,
    parse: limits.parse,
    validationRules: limits.validationRules,
    checkCost: limits.checkCost,
    logger,
    metrics,
    maxMessageBytes: options.maxRequestBytes,
    verifyAccessToken: options.verifyAccessToken,
    maxSubscriptionsPerConnection: options.subscriptions.maxPerConnection,
    perClient: {
      key: (request) => clientAddress(request, options.trustedProxies),
      maxConnections: options.subscriptions.maxConnectionsPerAddress,
      maxSubscriptions: options.subscriptions.maxPerAddress,
    },
    checkDocument:
      trustedDocuments &&
      ((query, extensions) =>
        trustedDocument(trustedDocuments, query, extensions) === undefined
          ? operationNotTrusted()
          : undefined),
    admitOperation: options.rateLimits?.operation,
    context: async (authorization, viewer, request, requestId) =>
      ({
        authorization,
        viewer,
        clientAddress: clientAddress(request, options.trustedProxies),
        requestId,
      }) satisfies RouterContext,
    subscribe: (args) => subscriptionGateway.subscribe(args),
    // Queries and mutations sent over the socket take the HTTP path's pipeline.
    execute: async (args: ExecutionArgs): Promise<ExecutionResult> => {
      const response = await apollo.executeOperation(
        {
          query: print(args.document),
          variables: args.variableValues ?? undefined,
          operationName: args.operationName ?? undefined,
        },
        { contextValue: args.contextValue as RouterContext },
      );
      return response.body.kind === 'single'
        ? (response.body.singleResult as ExecutionResult)
        : { errors: [] };
    },
  });
  // The gateway makes its data sources when it loads, so readiness names them on each probe.
  const ready: RequestListener = (req, res) =>
    probe(
      {
        ...Object.fromEntries([...subgraphs].map(([name, source]) => [name, () => source.ready()])),
        ...options.readiness,
      },
      logger,
    )(req, res);
  httpServer.on(
    'request',
    createGraphQLRequestListener({
      apollo,
      context: (req) => createContext(req, options),
      logger,
      corsOrigins: options.corsOrigins,
      bodyLimitBytes: options.maxRequestBytes,
      routes: {
        '/': toGraphQL,
        '/health': alive,
        '/ready': ready,
        ...(options.metricsOnMainPort !== false && { '/metrics': metrics.route }),
        '/track': trackingPage,
        '/track/app.js': trackingScript,
      },
      pages: ['/track'],
    }),
  );
  return {
    apollo,
    httpServer,
    subgraphs,
    metrics,
    async stop() {
      await apollo.stop();
      await upstream.dispose();
      await Promise.all([...subgraphs.values()].map((source) => source.close()));
    },
  };
}
