import { baseEnv, loadEnv as parse, portVar, subgraphConfigFromEnv } from '@cartograph/shared';
import { z } from 'zod';
import type { OrdersConfig } from './service.js';

const schema = z.object({
  ...baseEnv,
  ORDERS_PORT: portVar(4003),
  ORDERS_DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/cartograph_orders'),
  /** A stock request unanswered this long is published again (Redis may have lost it). */
  STOCK_RETRY_AFTER_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});

export type Env = z.output<typeof schema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env => parse(schema, source);

/** The service's configuration from its environment: what `createOrdersService` takes. */
export const ordersConfigFromEnv = (env: Env): OrdersConfig => ({
  ...subgraphConfigFromEnv(env, { port: env.ORDERS_PORT, databaseUrl: env.ORDERS_DATABASE_URL }),
  stockRetryAfterMs: env.STOCK_RETRY_AFTER_MS,
});
