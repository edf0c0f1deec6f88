import { readFileSync } from 'node:fs';
import { createSubgraphServer, type SubgraphServerSettings } from '@cartograph/shared';
import { createContext, type Context, type Deps } from './context.js';
import { resolvers } from './resolvers/index.js';

export interface ServerOptions extends SubgraphServerSettings {
  deps: Deps;
}

/** Builds the orders subgraph without listening: `index.ts` listens, tests drive it in process. */
export function createServer({ deps, ...options }: ServerOptions) {
  return createSubgraphServer<Context>({
    ...options,
    typeDefs: readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    resolvers,
    context: (req) => createContext(req, deps),
    readiness: {
      database: () => deps.db.$queryRaw`SELECT 1`,
      redis: () => deps.events.redis.ping(),
    },
    subscriptions: {
      verifyAccessToken: deps.verifyAccessToken,
      context: (authorization) => createContext({ headers: { authorization } }, deps),
    },
  });
}
