import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

const shared = fileURLToPath(new URL('./packages/shared/src', import.meta.url));
// Apollo's packages are CommonJS and require graphql's CommonJS build; tests must share that
// one copy, or graphql-js refuses types "from another module or realm".
const graphql = createRequire(import.meta.url).resolve('graphql');

/**
 * The one vitest preset every workspace extends. `@cartograph/shared` is read from source, as
 * tsx does at run time through the `@cartograph/source` export condition; an alias rather than
 * a condition, because vitest hands resolve conditions on to Node, where they change how
 * CommonJS dependencies resolve.
 */
export const preset = defineConfig({
  resolve: {
    alias: [
      { find: /^@cartograph\/shared\/testing$/, replacement: `${shared}/testing/index.ts` },
      { find: /^@cartograph\/shared$/, replacement: `${shared}/index.ts` },
      { find: /^graphql$/, replacement: graphql },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'test/**/*.e2e.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only queue behind Postgres.
    maxWorkers: 2,
  },
});

/**
 * A subgraph's vitest config: the preset, named after the subgraph, with the one global setup
 * every subgraph shares (its throwaway database and Redis prefix for the run).
 */
export const subgraphTestConfig = (name: string) =>
  mergeConfig(
    preset,
    defineConfig({ test: { name, globalSetup: [`${shared}/testing/subgraph-setup.ts`] } }),
  );
