import { readFileSync } from 'node:fs';
import {
  createInternalVerifier,
  createSubgraphServer,
  type SubgraphServerSettings,
} from '@cartograph/shared';
import { createContext, type Context, type Deps } from './context.js';
import { resolvers } from './resolvers/index.js';

export interface ServerOptions extends SubgraphServerSettings {
  deps: Deps;
}

/** Builds the users subgraph without listening: `index.ts` listens, tests drive it in process. */
export function createServer({ deps, ...options }: ServerOptions) {
  const fromRouter = options.internalSecret
    ? createInternalVerifier(options.internalSecret)
    : undefined;
  return createSubgraphServer<Context>({
    ...options,
    typeDefs: readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    resolvers,
    context: (req) => createContext(req, deps, fromRouter),
    readiness: {
      database: () => deps.db.$queryRaw`SELECT 1`,
      redis: () => deps.loginThrottle.redis.ping(),
    },
  });
}
