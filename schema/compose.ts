/**
 * Composes the supergraph from each subgraph's SDL. `npm run compose` writes
 * `schema/supergraph.graphql` (what the router serves) and `schema/api.graphql` (what clients
 * see); the router's tests fail when either is stale or when composition reports errors.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { listSubgraphs, repoRoot } from '@cartograph/shared/testing';
import { parse, printSchema } from 'graphql';

export const supergraphPath = `${repoRoot}/schema/supergraph.graphql`;
export const apiSchemaPath = `${repoRoot}/schema/api.graphql`;

/**
 * Composes every subgraph of `subgraphs/` (of another checkout when `root` is given). Each is
 * named by its folder, at the URL of its default port; the router overrides URLs from env.
 */
export async function composeSupergraph(
  root = repoRoot,
): Promise<{ supergraphSdl: string; apiSdl: string }> {
  const services = await Promise.all(
    listSubgraphs(root).map(async ({ name, port }) => ({
      name,
      url: `http://localhost:${port}/graphql`,
      typeDefs: parse(await readFile(`${root}/subgraphs/${name}/schema.graphql`, 'utf8')),
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
