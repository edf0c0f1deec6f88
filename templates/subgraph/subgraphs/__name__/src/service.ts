import { createSubgraphBase, type SubgraphConfig } from '@cartograph/shared';
import type { Deps } from './context.js';
import { createDb } from './data/db.js';
import { createLoaders } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';

/** Settings of its own go here, beside what every subgraph takes (and in `env.ts`). */
export type __Name__Config = SubgraphConfig;

/**
 * The __name__ subgraph, built from its configuration without listening: `index.ts` starts it
 * from the environment, tests from their own settings. A new dependency is made here, once.
 */
export async function create__Name__Service(config: __Name__Config) {
  const base = await createSubgraphBase('__name__', config, createDb);
  return base.serve({
    schema: new URL('../schema.graphql', import.meta.url),
    resolvers,
    deps: { db: base.db } satisfies Deps,
    loaders: createLoaders,
  });
}
