/**
 * The __name__ subgraph's demo data, which `npm start` and `npm run db:seed` create
 * (scripts/setup.ts): one example, made once, whatever the number of runs.
 */
import type { Db } from '../../subgraphs/__name__/src/data/db.js';

export async function seed(db: Db) {
  const name = 'The first example';
  const created = (await db.example.findFirst({ where: { name } })) === null;
  if (created) await db.example.create({ data: { name } });
  return { summary: `__name__: ${created ? 'example created' : 'example exists'}` };
}
