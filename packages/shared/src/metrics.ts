import type { RequestListener } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

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
    route: (async (_req, res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    }) as RequestListener,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
