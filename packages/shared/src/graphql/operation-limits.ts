import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { parse, type ValidationRule } from 'graphql';
import { z } from 'zod';
import { createCostLimit } from './operation-cost.js';

/** What one operation may ask for; every service reads these from its environment. */
export const operationLimitsEnv = {
  /**
   * 8 fits the contract's deepest real query (`me.orders.edges.node.items.product.category.name`)
   * and stops recursion such as `orders -> user -> orders` after one round.
   */
  MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(8),
  MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  MAX_TOKENS: z.coerce.number().int().min(10).max(100_000).default(1000),
  /**
   * graphql-armor's cost formula: 2 per object field, 1 per scalar, times 1.5 per level of
   * depth, times each list's real page size (see operation-cost.ts).
   */
  MAX_COST: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(50),
  /** `false` turns every limit off (benchmarks compare); never in production. */
  OPERATION_LIMITS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
};

export interface OperationLimits {
  enabled: boolean;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export const operationLimitsFromEnv = (env: {
  OPERATION_LIMITS: boolean;
  MAX_DEPTH: number;
  MAX_ALIASES: number;
  MAX_TOKENS: number;
  MAX_COST: number;
  MAX_DIRECTIVES: number;
}): OperationLimits => ({
  enabled: env.OPERATION_LIMITS,
  maxDepth: env.MAX_DEPTH,
  maxAliases: env.MAX_ALIASES,
  maxTokens: env.MAX_TOKENS,
  maxCost: env.MAX_COST,
  maxDirectives: env.MAX_DIRECTIVES,
});

export const defaultOperationLimits: OperationLimits = operationLimitsFromEnv(
  z.object(operationLimitsEnv).parse({}),
);

/**
 * A subgraph sees the router's fetches, not the client's operation: the planner adds
 * `__typename` and key fields, so tokens and cost get headroom; depth and aliases never grow.
 */
export const subgraphOperationLimits = (limits: OperationLimits): OperationLimits => ({
  ...limits,
  maxTokens: limits.maxTokens * 2,
  maxCost: limits.maxCost * 2,
});

/**
 * The operation limits in the two forms a service needs: Apollo Server options for HTTP, and a
 * parser, validation rules and a cost check for the graphql-ws path, which Apollo does not see.
 * Depth, aliases and directives are graphql-armor's validation rules, tokens graphql-js's own
 * count; cost is ours (see operation-cost.ts), applied once the variables are known. All
 * reject before anything executes. Field suggestions are hidden whatever the limits, by the
 * error masker.
 */
export function createOperationLimits(limits: OperationLimits) {
  if (!limits.enabled) {
    return {
      apollo: {
        parseOptions: {},
        plugins: [] as ApolloServerPlugin[],
        validationRules: [] as ValidationRule[],
      },
      parse: undefined,
      validationRules: [] as ValidationRule[],
      checkCost: undefined,
    };
  }
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    // Armor's token plugin throws outside Apollo's parse error handling (a 500, and a second
    // parse); graphql-js counts tokens in its own parser, and Apollo answers GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    // Armor's cost reads `first` only from literals; ours reads variables and defaults too.
    costLimit: { enabled: false },
    // Armor's own masking leaves "[Suggestion hidden]" behind; the error masker removes the sentence.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  const cost = createCostLimit(limits.maxCost);
  return {
    apollo: {
      parseOptions: { maxTokens: limits.maxTokens },
      // Armor types its plugins with @apollo/server's CommonJS declarations; they are the same.
      plugins: [
        cost.plugin as ApolloServerPlugin,
        ...(armor.plugins as unknown as ApolloServerPlugin[]),
      ],
      validationRules: armor.validationRules,
    },
    parse: (source: string) => parse(source, { maxTokens: limits.maxTokens }),
    validationRules: armor.validationRules,
    /** Run after validation, with the operation's variables (see `WsServerOptions.checkCost`). */
    checkCost: cost.check,
  };
}

export type OperationLimitsSetup = ReturnType<typeof createOperationLimits>;
