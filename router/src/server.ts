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
  createMetrics,
  probe,
  rejectNulCharacters,
  serveGraphQLOverWebSocket,
  type AccessTokenVerifier,
  type Logger,
} from '@cartograph/shared';
import { print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { Gauge } from 'prom-client';
import { createContext, type RouterContext } from './context.js';
import { SubgraphDataSource, type SubgraphPoolOptions } from './subgraph-data-source.js';
import { createSubscriptionGateway } from './subscription-gateway.js';
import { trackingPage, trackingScript } from './track/page.js';
import { createUpstreamSubscriptions } from './upstream-subscriptions.js';

export interface SubscriptionLimits {
  /** Events one subscription may have waiting for a slow client before it is ended. */
  queueLimit: number;
  /** Reconnection attempts to a subgraph that went away, before its subscriptions end. */
  retryAttempts: number;
  maxPerConnection: number;
}

export interface RouterOptions {
  supergraphSdl: string;
  /** Overrides of the URLs the supergraph names, by subgraph name. */
  subgraphUrls: Record<string, string>;
  subgraphPool: SubgraphPoolOptions;
  subscriptions: SubscriptionLimits;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
  /** Apollo Sandbox on the router's URL, and introspection. */
  introspection: boolean;
  corsOrigins: string;
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
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const source = new SubgraphDataSource(
        name,
        options.subgraphUrls[name] ?? url!,
        options.subgraphPool,
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
  const apollo: ApolloServer<RouterContext> = new ApolloServer<RouterContext>({
    gateway,
    formatError: createErrorMasker(logger),
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection,
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints are used, so computing a cache policy per request is wasted work.
      ApolloServerPluginCacheControlDisabled(),
      rejectNulCharacters,
      options.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
    ],
  });
  const ws = serveGraphQLOverWebSocket({
    httpServer,
    schema: subscriptionGateway.schema,
    logger,
    metrics,
    verifyAccessToken: options.verifyAccessToken,
    maxSubscriptionsPerConnection: options.subscriptions.maxPerConnection,
    context: async (authorization, viewer) => ({ authorization, viewer }) satisfies RouterContext,
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
      Object.fromEntries([...subgraphs].map(([name, source]) => [name, () => source.ready()])),
      logger,
    )(req, res);
  httpServer.on(
    'request',
    createGraphQLRequestListener({
      apollo,
      context: (req) => createContext(req, options.verifyAccessToken),
      logger,
      corsOrigins: options.corsOrigins,
      routes: {
        '/': toGraphQL,
        '/health': alive,
        '/ready': ready,
        '/metrics': metrics.route,
        '/track': trackingPage,
        '/track/app.js': trackingScript,
      },
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
