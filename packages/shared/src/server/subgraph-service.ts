import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { parse } from 'graphql';
import type { Redis } from 'ioredis';
import {
  createAccessTokenVerifier,
  readPem,
  viewerFromAuthorization,
  type AccessTokenVerifier,
  type TokenSettings,
  type Viewer,
} from '../auth/auth.js';
import { databaseQueryCounter } from '../data/database.js';
import { serverSettingsFromEnv, type BaseEnv } from '../env.js';
import type { TransactionalSqlClient } from '../events/outbox.js';
import { createEventRuntime, type EventRuntimeOptions } from '../events/runtime.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, serveMetrics, type Metrics } from '../observability/metrics.js';
import { startTracing } from '../observability/tracing.js';
import { checkEvictionPolicy, createRedis } from '../redis.js';
import { listen } from './lifecycle.js';
import { createSubgraphServer, type SubgraphServerSettings } from './subgraph-server.js';

/**
 * What every subgraph is built from, beside its own settings. Entry files read it from the
 * environment (`subgraphConfigFromEnv`); tests write their own (`testSubgraphConfig`).
 */
export interface SubgraphConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logLevel: string;
  databaseUrl: string;
  /** Connections the service keeps to its database (default 10). */
  databasePoolSize?: number;
  redisUrl: string;
  /** Prepended to every Redis key and stream: deployments and test runs share a Redis. */
  redisPrefix: string;
  /** The users subgraph's public key (PEM): every subgraph verifies access tokens with it. */
  publicKeyPem: string;
  tokens: TokenSettings;
  /** Mode, operation limits, request size, the internal secret, CORS, `/metrics` on the main port. */
  http: Omit<SubgraphServerSettings, 'logger' | 'metrics'>;
  /** `/metrics` on a listener of its own (METRICS_PORT), which a deployment keeps private. */
  metricsListener?: { port: number; host: string };
  /**
   * Starts OpenTelemetry's SDK, which exports only when the standard `OTEL_*` variables name a
   * collector. Entry files do; in-process tests register a provider of their own.
   */
  tracing?: boolean;
  /** How long a consumed event may stay unacknowledged before another consumer claims it. */
  eventClaimIdleMs?: number;
  /**
   * Tests: called for every SQL statement the resolvers and the subscription followers send, to
   * prove a query costs a constant number of them. The event flow (outbox relay, stream
   * consumer) then runs on a database client of its own, so its polling never shows in the count.
   */
  statementCounter?: () => void;
}

/** What every subgraph reads from its environment beside its own variables. */
export function subgraphConfigFromEnv(
  env: BaseEnv,
  own: { port: number; databaseUrl: string; publicKeyPem?: string },
): SubgraphConfig {
  return {
    host: env.HOST,
    port: own.port,
    logLevel: env.LOG_LEVEL,
    databaseUrl: own.databaseUrl,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    publicKeyPem:
      own.publicKeyPem ?? readPem(env.JWT_PUBLIC_KEY, env.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY'),
    tokens: { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    http: serverSettingsFromEnv(env),
    metricsListener:
      env.METRICS_PORT === undefined
        ? undefined
        : { port: env.METRICS_PORT, host: env.METRICS_HOST ?? env.HOST },
    tracing: true,
  };
}

/** A subgraph's Prisma client factory (its `data/db.ts`). */
export type CreateDb<TDb> = (url: string, poolSize?: number, onStatement?: () => void) => TDb;

/** What the shared part of a service stops with it: work it started, in reverse order. */
export interface Worker {
  start?(): void;
  stop(): void | Promise<void>;
}

type Database = TransactionalSqlClient & { $disconnect(): Promise<void> };

/**
 * What a subgraph's resolvers get on every request: its dependencies, the caller (null when
 * anonymous) and DataLoaders of the request's own.
 */
export type SubgraphContext<TDeps, TLoaders> = TDeps & {
  viewer: Viewer | null;
  loaders: TLoaders;
};

interface ServeOptions<TDeps extends { db: unknown }, TLoaders, TExtra> {
  /** The subgraph's SDL file (`new URL('../schema.graphql', import.meta.url)`). */
  schema: URL;
  /** Typed by codegen per subgraph; federation's resolver map is looser, hence `object`. */
  resolvers: object;
  /** What the resolvers use beside the caller: the database client, the service's own parts. */
  deps: TDeps;
  /** A request's DataLoaders, made afresh for each request and each subscription operation. */
  loaders: (db: TDeps['db']) => TLoaders;
  /**
   * What an HTTP request adds to its context (users: the client's address, from its socket).
   * Not with subscriptions, whose operations come without a request of their own.
   */
  perRequest?: (req: IncomingMessage) => TExtra;
  /** Background work (event relays, consumers, sweeps): started after the server, stopped after it. */
  workers?: Worker[];
}

/**
 * The parts every subgraph is made of, built once from its configuration: logger, metrics, its
 * database client, its own Redis connection, the token verifier and, when asked, tracing. A
 * subgraph's `createXService` adds its own dependencies and calls `serve`, which builds the
 * server without listening (graphql-ws too when the schema has subscriptions) and returns it
 * with the dependencies and the handles to start and stop it.
 */
export async function createSubgraphBase<TDb extends Database>(
  name: string,
  config: SubgraphConfig,
  createDb: CreateDb<TDb>,
) {
  const stopTracing = config.tracing ? await startTracing(name) : async () => undefined;
  const logger = createLogger(name, config.logLevel);
  const metrics = createMetrics(name);
  const countInMetrics = databaseQueryCounter(metrics.registry);
  const { statementCounter } = config;
  const db = createDb(
    config.databaseUrl,
    config.databasePoolSize,
    statementCounter
      ? () => {
          countInMetrics();
          statementCounter();
        }
      : countInMetrics,
  );
  let eventsClient: TDb | undefined;
  const eventsDb = () =>
    (eventsClient ??= statementCounter
      ? createDb(config.databaseUrl, config.databasePoolSize, countInMetrics)
      : db);
  const redis = createRedis(config.redisUrl, logger, name);
  const verifyAccessToken: AccessTokenVerifier = await createAccessTokenVerifier(
    config.publicKeyPem,
    config.tokens,
  );
  /** A Redis connection of the service's own for one blocking reader (XREAD blocks it). */
  const connectRedis = (label: string) => createRedis(config.redisUrl, logger, `${name}-${label}`);

  return {
    name,
    logger,
    metrics,
    /** The resolvers' database client. */
    db,
    /** The event flow's client: `db` itself unless a test counts the resolvers' statements. */
    get eventsDb() {
      return eventsDb();
    },
    /** The service's own Redis connection: limits, the outbox relay, readiness. */
    redis,
    verifyAccessToken,
    connectRedis,
    /**
     * The outbox relay and, when given, a consumer in the group named after the service, on the
     * service's Redis prefix.
     */
    eventRuntime: (consume?: Omit<NonNullable<EventRuntimeOptions['consume']>, 'group'>) =>
      createEventRuntime({
        name,
        redis,
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        db: eventsDb(),
        logger,
        registry: metrics.registry,
        consume: consume && { group: name, claimIdleMs: config.eventClaimIdleMs, ...consume },
      }),
    /** What a stream follower for subscriptions takes: a connection of its own, and `db`. */
    follower: (label: string) => ({
      redis: connectRedis(label),
      prefix: config.redisPrefix,
      logger,
      db,
    }),
    serve: <TDeps extends { db: unknown }, TLoaders, TExtra = unknown>(
      options: ServeOptions<TDeps, TLoaders, TExtra>,
    ) =>
      serveSubgraph(
        config,
        {
          logger,
          metrics,
          db,
          redis,
          verifyAccessToken,
          stopTracing,
          databases: () => [...new Set([db, eventsClient ?? db])],
        },
        options,
      ),
  };
}

interface SubgraphParts {
  logger: Logger;
  metrics: Metrics;
  db: Database;
  /** Every database client the service made, to disconnect on stop. */
  databases: () => Database[];
  redis: Redis;
  verifyAccessToken: AccessTokenVerifier;
  stopTracing: () => Promise<void>;
}

function serveSubgraph<TDeps extends { db: unknown }, TLoaders, TExtra>(
  config: SubgraphConfig,
  parts: SubgraphParts,
  options: ServeOptions<TDeps, TLoaders, TExtra>,
) {
  type TContext = SubgraphContext<TDeps, TLoaders> & TExtra & BaseContext;
  const { logger, metrics, db, redis, verifyAccessToken } = parts;
  const { deps, loaders, perRequest } = options;
  const typeDefs = readFileSync(options.schema, 'utf8');
  // A subgraph whose schema has subscriptions serves them over graphql-ws on /graphql.
  const subscriptions = parse(typeDefs).definitions.some(
    (definition) => 'name' in definition && definition.name?.value === 'Subscription',
  );
  if (perRequest && subscriptions)
    throw new Error('A subgraph with subscriptions cannot add to its context per HTTP request');
  const contextFor = async (authorization: string | undefined) => ({
    ...deps,
    viewer: await viewerFromAuthorization(authorization, verifyAccessToken),
    loaders: loaders(deps.db),
  });
  const workers = options.workers ?? [];
  const { apollo, httpServer } = createSubgraphServer<TContext>({
    ...config.http,
    logger,
    metrics,
    typeDefs,
    resolvers: options.resolvers,
    context: async (req) =>
      ({ ...(await contextFor(req.headers.authorization)), ...perRequest?.(req) }) as TContext,
    readiness: {
      database: async () => db.$queryRaw`SELECT 1`,
      redis: () => redis.ping(),
    },
    subscriptions: subscriptions
      ? {
          verifyAccessToken,
          context: async (authorization) => (await contextFor(authorization)) as TContext,
        }
      : undefined,
  });
  let metricsListener: Awaited<ReturnType<typeof serveMetrics>> | undefined;

  return {
    ...deps,
    logger,
    metrics,
    apollo,
    httpServer,
    /**
     * Checks Redis's eviction policy, starts the server and the workers, listens, and resolves
     * with the bound port once it logged `listening`.
     */
    async start(): Promise<number> {
      await checkEvictionPolicy(redis, logger);
      await apollo.start();
      for (const worker of workers) worker.start?.();
      const port = await listen(httpServer, config.port, config.host);
      if (config.metricsListener)
        metricsListener = await serveMetrics(metrics, config.metricsListener, logger);
      logger.info({ port }, 'listening');
      return port;
    },
    /**
     * The server first (no new requests, subscriptions drained), then the metrics listener, the
     * workers in reverse order, the database and Redis, and last the spans still buffered.
     */
    async stop(): Promise<void> {
      await apollo.stop();
      await metricsListener?.close();
      for (const worker of [...workers].reverse()) await worker.stop();
      await Promise.all(parts.databases().map((client) => client.$disconnect()));
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
      await parts.stopTracing();
    },
  };
}
