/**
 * Composes the supergraph from each subgraph's SDL. `npm run compose` writes
 * `schema/supergraph.graphql` (what the router serves) and `schema/api.graphql` (what clients
 * see); the router's tests fail when either is stale or when composition reports errors.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The subgraphs and the URLs the checked-in supergraph names; the router overrides them from env. */
export const subgraphs = [
  { name: 'users', url: 'http://localhost:4001/graphql' },
  { name: 'products', url: 'http://localhost:4002/graphql' },
  { name: 'orders', url: 'http://localhost:4003/graphql' },
] as const;

export const supergraphPath = `${root}schema/supergraph.graphql`;
export const apiSchemaPath = `${root}schema/api.graphql`;

export async function composeSupergraph(): Promise<{ supergraphSdl: string; apiSdl: string }> {
  const services = await Promise.all(
    subgraphs.map(async ({ name, url }) => ({
      name,
      url,
      typeDefs: parse(await readFile(`${root}subgraphs/${name}/schema.graphql`, 'utf8')),
    })),
  );
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(
      `Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`,
    );
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSdl: `${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { supergraphSdl, apiSdl } = await composeSupergraph();
  await writeFile(supergraphPath, supergraphSdl);
  await writeFile(apiSchemaPath, apiSdl);
  console.log(`Wrote ${supergraphPath} and ${apiSchemaPath}`);
}
