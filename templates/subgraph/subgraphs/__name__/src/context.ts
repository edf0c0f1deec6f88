import type { SubgraphContext } from '@cartograph/shared';
import type { Db } from './data/db.js';
import type { Loaders } from './data/loaders.js';

/** What the resolvers use beside the caller and the request's loaders; tests pass their own. */
export interface Deps {
  db: Db;
}

/** A request's context: `Deps`, the viewer and per-request loaders (`create__Name__Service`). */
export type Context = SubgraphContext<Deps, Loaders>;
