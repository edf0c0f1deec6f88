/**
 * One GraphQL Code Generator config for the whole repository: typed resolvers per subgraph
 * (federation-aware, parents mapped to the data layer's row types) and typed documents for the
 * tests. Generated output is gitignored and rebuilt by the `codegen` task before typecheck/test.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { parse, printSchema } from 'graphql';
import { listSubgraphs } from './packages/shared/src/testing/subgraphs.js';

const clientPreset = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string' },
    emitLegacyCommonJSImports: false,
  },
} as const;

const generates: CodegenConfig['generates'] = {
  'router/test/__generated__/': {
    ...clientPreset,
    // persisted-documents.json feeds `npm run trusted-documents`. Keys are the plain sha256 hex
    // of each printed document, as APQ sends it (the preset's default adds a `sha256:` prefix).
    presetConfig: {
      ...clientPreset.presetConfig,
      persistedDocuments: {
        hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex'),
      },
    },
    schema: 'schema/api.graphql',
    documents: ['router/test/**/*.ts', '!router/test/__generated__/**'],
  },
};

// Every folder of subgraphs/, with the mappers its package.json declares: what each type's
// resolvers really receive (the data layer's rows).
for (const { name, mappers } of listSubgraphs()) {
  const sdlPath = `subgraphs/${name}/schema.graphql`;
  generates[`subgraphs/${name}/src/__generated__/resolvers-types.ts`] = {
    schema: sdlPath,
    plugins: ['typescript', 'typescript-resolvers'],
    config: {
      federation: true,
      contextType: '../context.js#Context',
      useTypeImports: true,
      enumsAsTypes: true,
      emitLegacyCommonJSImports: false,
      scalars: { DateTime: 'Date | string' },
      mappers,
    },
  };
  // The subgraph as a client reaches it (with `_entities`), for its in-process tests.
  generates[`subgraphs/${name}/test/__generated__/`] = {
    ...clientPreset,
    schema: printSchema(buildSubgraphSchema({ typeDefs: parse(readFileSync(sdlPath, 'utf8')) })),
    documents: [`subgraphs/${name}/test/**/*.ts`, `!subgraphs/${name}/test/__generated__/**`],
  };
}

const config: CodegenConfig = {
  overwrite: true,
  ignoreNoDocuments: true,
  generates,
  hooks: { afterAllFileWrite: ['prettier --write --log-level warn'] },
};

export default config;
