import { baseEnv, loadEnv as parse, portVar, subgraphConfigFromEnv } from '@cartograph/shared';
import { z } from 'zod';
import type { ProductsConfig } from './service.js';

const schema = z.object({
  ...baseEnv,
  PRODUCTS_PORT: portVar(4002),
  PRODUCTS_DATABASE_URL: z
    .string()
    .default('postgresql://postgres@127.0.0.1:5432/cartograph_products'),
});

export type Env = z.output<typeof schema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env => parse(schema, source);

/** The service's configuration from its environment: what `createProductsService` takes. */
export const productsConfigFromEnv = (env: Env): ProductsConfig =>
  subgraphConfigFromEnv(env, {
    port: env.PRODUCTS_PORT,
    databaseUrl: env.PRODUCTS_DATABASE_URL,
  });
