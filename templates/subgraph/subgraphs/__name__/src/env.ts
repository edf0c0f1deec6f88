import { baseEnv, loadEnv as parse, portVar, subgraphConfigFromEnv } from '@cartograph/shared';
import { z } from 'zod';
import type { __Name__Config } from './service.js';

const schema = z.object({
  ...baseEnv,
  __NAME___PORT: portVar(__PORT__),
  __NAME___DATABASE_URL: z
    .string()
    .default('postgresql://postgres@127.0.0.1:5432/cartograph___name__'),
});

export type Env = z.output<typeof schema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env => parse(schema, source);

/** The service's configuration from its environment: what `create__Name__Service` takes. */
export const __name__ConfigFromEnv = (env: Env): __Name__Config =>
  subgraphConfigFromEnv(env, {
    port: env.__NAME___PORT,
    databaseUrl: env.__NAME___DATABASE_URL,
  });
