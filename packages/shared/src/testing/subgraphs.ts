import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from './paths.js';

/** What a subgraph declares about itself, in the `cartograph` field of its package.json. */
export interface SubgraphManifest {
  /** Its folder under `subgraphs/`: the name composition, variables and its database go by. */
  name: string;
  /** Where it listens by default (`<NAME>_PORT`), and so the URL the checked-in supergraph names. */
  port: number;
  /** Codegen mappers: what each GraphQL type's resolvers receive, as `../data/x-store.js#XRow`. */
  mappers: Record<string, string>;
}

/**
 * Every subgraph of the repository, one per folder of `subgraphs/`, in port order: what
 * composition composes, codegen types, `npm start` runs, setup migrates and seeds, and the
 * end-to-end stack starts. A new subgraph is a new folder (`npm run new-subgraph`); no list names
 * them. `root` is another checkout (the template's test uses a copy).
 */
export function listSubgraphs(root = repoRoot): SubgraphManifest[] {
  return readdirSync(`${root}/subgraphs`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const file = `${root}/subgraphs/${entry.name}/package.json`;
      const { cartograph } = JSON.parse(readFileSync(file, 'utf8')) as {
        cartograph?: { port?: unknown; mappers?: Record<string, string> };
      };
      if (typeof cartograph?.port !== 'number')
        throw new Error(`${file} declares no "cartograph": { "port": <default port> }`);
      return { name: entry.name, port: cartograph.port, mappers: cartograph.mappers ?? {} };
    })
    .sort((a, b) => a.port - b.port);
}

/** A subgraph's variable: `envName('orders', 'DATABASE_URL')` is `ORDERS_DATABASE_URL`. */
export const envName = (subgraph: string, variable: string) =>
  `${subgraph.toUpperCase()}_${variable}`;
