import { createServer, type RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sendJsonError } from '../server/http-server.js';
import { listen } from '../server/lifecycle.js';

/**
 * A service's Prometheus metrics, served on `/metrics`: Node's defaults (memory, CPU, event
 * loop) and what Cartograph itself tracks, each labelled with the service's name.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    /** Live GraphQL subscriptions this process serves (router: per client; subgraph: per operation). */
    activeSubscriptions: new Gauge({
      name: 'cartograph_active_subscriptions',
      help: 'GraphQL subscriptions this process is serving',
      registers: [registry],
    }),
    /** GraphQL operations over HTTP (and the router's queries over WebSocket), by operation. */
    graphqlRequests: new Counter({
      name: 'cartograph_graphql_requests_total',
      help: 'GraphQL operations answered, by operation name and type',
      labelNames: ['operation', 'type'] as const,
      registers: [registry],
    }),
    /** Errors as clients see them, after masking: the codes are a closed set. */
    graphqlErrors: new Counter({
      name: 'cartograph_graphql_errors_total',
      help: 'GraphQL errors answered, by extensions.code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'cartograph_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response',
      labelNames: ['operation', 'type'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    route: (async (_req, res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    }) as RequestListener,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * `/metrics` on a listener of its own (METRICS_PORT, bound to METRICS_HOST or else HOST), which
 * a deployment keeps on its private network, as gateways do; the public port then serves no
 * metrics. Resolves to undefined when no METRICS_PORT is configured.
 */
export function listenForMetrics(
  metrics: Metrics,
  env: { METRICS_PORT?: number; METRICS_HOST?: string; HOST: string },
  logger: Logger,
) {
  if (env.METRICS_PORT === undefined) return Promise.resolve(undefined);
  return serveMetrics(
    metrics,
    { port: env.METRICS_PORT, host: env.METRICS_HOST ?? env.HOST },
    logger,
  );
}

/** `/metrics`, and nothing else, on a listener of its own at `port` (0 picks a free one). */
export async function serveMetrics(
  metrics: Metrics,
  listener: { port: number; host: string },
  logger: Logger,
) {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/metrics') return metrics.route(req, res);
    sendJsonError(res, 404, 'Only /metrics is served here');
  });
  const port = await listen(server, listener.port, listener.host);
  logger.info({ metricsPort: port }, 'serving metrics');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
