/*
 * The router, built in the order its parts depend on each other, so that each is whole when
 * the next one is given it:
 * 1. the supergraph's subgraphs (names and URLs), each with its data source, all before anything
 *    fetches through one;
 * 2. the one context builder for HTTP and graphql-ws (token, rate limits, RouterContext), the
 *    operation limits and the HTTP server, not listening;
 * 3. Apollo Server over @apollo/gateway, whose `buildService` hands out the data sources of 1:
 *    queries and mutations;
 * 4. the upstream subscription client and the subscription gateway, over the same data sources;
 * 5. graphql-ws on the HTTP server: subscriptions through 4, queries and mutations through 3;
 *    Apollo's drain disposes it on stop;
 * 6. the HTTP routes: `/graphql` through 3, `/ready` over every data source and the given checks.
 */
import { createServer, type RequestListener } from 'node:http';
import { Supergraph } from '@apollo/federation-internals';
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
  clientAddressBehindProxies,
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
  requestIdFrom,
  requestIdHeader,
  serveGraphQLOverWebSocket,
  type AccessTokenVerifier,
  type Logger,
  type OperationLimits,
} from '@cartograph/shared';
import { GraphQLError, print } from 'graphql';
import { Gauge } from 'prom-client';
import { apqRegistrationLimits, persistedQueriesInRedis, type ApqOptions } from './apq-cache.js';
import { createContextBuilder, type RouterContext } from './context.js';
import { persistedQueriesPlugin } from './persisted-queries.js';
import type { RateLimits } from './rate-limits.js';
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
  /** Proxies whose `X-Forwarded-For` entries are believed (`clientAddressBehindProxies`). */
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
 * go through the subscription gateway. The start-up order is in this file's header.
 */
export function createRouter(options: RouterOptions) {
  const { logger, apq, trustedDocuments } = options;
  const metrics = createMetrics('router');

  // 1. Every subgraph's data source, at the URL the supergraph names unless overridden.
  const supergraph = Supergraph.build(options.supergraphSdl);
  const signature = options.internalSecret
    ? createInternalSigner(options.internalSecret)
    : undefined;
  const dataSources: ReadonlyMap<string, SubgraphDataSource> = new Map(
    supergraph
      .subgraphsMetadata()
      .map(({ name, url }) => [
        name,
        new SubgraphDataSource(
          name,
          options.subgraphUrls[name] ?? url,
          options.subgraphPool,
          signature,
        ),
      ]),
  );

  // 2. What every operation goes through, whichever way it came.
  const routerContext = createContextBuilder(options);
  const limits = createOperationLimits(options.limits);
  const httpServer = createServer();

  // 3. Queries and mutations.
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger,
    buildService: ({ name }) => {
      const source = dataSources.get(name);
      if (!source) throw new Error(`The supergraph names no subgraph "${name}"`);
      return source;
    },
  });
  const apollo = new ApolloServer<RouterContext>({
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
    ],
  });

  // 4. Subscriptions, to the subgraphs and through the supergraph.
  const upstream = createUpstreamSubscriptions({
    urlOf: (name) => dataSources.get(name)!.url,
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
    supergraph,
    dataSources,
    upstream,
    logger,
  });

  // 5. graphql-ws: every operation gets its context, and is rate limited, as over HTTP.
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
      key: (request) => clientAddressBehindProxies(request, options.trustedProxies),
      maxConnections: options.subscriptions.maxConnectionsPerAddress,
      maxSubscriptions: options.subscriptions.maxPerAddress,
    },
    checkDocument:
      trustedDocuments &&
      ((query, extensions) =>
        trustedDocument(trustedDocuments, query, extensions) === undefined
          ? operationNotTrusted()
          : undefined),
    context: routerContext,
    subscribe: (args) => subscriptionGateway.subscribe(args),
    // Queries and mutations sent over the socket take the HTTP path's pipeline.
    execute: async (args) => {
      const response = await apollo.executeOperation(
        {
          query: print(args.document),
          variables: args.variableValues ?? undefined,
          operationName: args.operationName ?? undefined,
        },
        { contextValue: args.contextValue },
      );
      // The gateway executes an operation whole, so Apollo answers it with one result: @defer
      // and @stream are not in the API schema, and fail validation. Should that ever change,
      // the client is told, rather than answered with nothing.
      if (response.body.kind !== 'single') return { errors: [incrementalDeliveryUnsupported()] };
      return response.body.singleResult;
    },
  });
  apollo.addPlugin({ serverWillStart: async () => ({ drainServer: () => ws.dispose() }) });

  // 6. HTTP.
  const ready = probe(
    {
      ...Object.fromEntries([...dataSources].map(([name, source]) => [name, () => source.ready()])),
      ...options.readiness,
    },
    logger,
  );
  httpServer.on(
    'request',
    createGraphQLRequestListener({
      apollo,
      context: (req) =>
        routerContext(req.headers.authorization, req, requestIdFrom(req.headers[requestIdHeader])),
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
    metrics,
    /** Each subgraph's URL, by name, as the router reaches it. */
    subgraphUrls: Object.fromEntries([...dataSources].map(([name, source]) => [name, source.url])),
    start: () => apollo.start(),
    async stop() {
      await apollo.stop();
      await upstream.dispose();
      await Promise.all([...dataSources.values()].map((source) => source.close()));
    },
  };
}

const incrementalDeliveryUnsupported = () =>
  new GraphQLError('The router does not support incremental delivery (@defer, @stream)', {
    extensions: { code: 'BAD_REQUEST' },
  });
