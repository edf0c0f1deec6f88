import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { parse, type ValidationRule } from 'graphql';
import { z } from 'zod';

/** What one operation may ask for; every service reads these from its environment. */
export const operationLimitsEnv = {
  /**
   * 8 fits the contract's deepest real query (`me.orders.edges.node.items.product.category.name`)
   * and stops recursion such as `orders -> user -> orders` after one round.
   */
  MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(8),
  MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  MAX_TOKENS: z.coerce.number().int().min(10).max(100_000).default(1000),
  /** graphql-armor's cost: 2 per object field, 1 per scalar, times 1.5 per level of depth. */
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

const suggestion = / ?Did you mean .+\?/g;

/** Validation messages name no field the client did not write ("Did you mean …?" is cut). */
export const withoutSuggestions = (message: string) => message.replace(suggestion, '');

const hideSuggestions: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = withoutSuggestions(error.message);
      },
    };
  },
};

/**
 * graphql-armor's limits (with graphql-js's own token limit) in the two forms a service needs:
 * Apollo Server options for HTTP, and a parser and validation rules for the graphql-ws path,
 * which Apollo does not see. Both reject before anything executes. Field suggestions are hidden
 * whatever the limits.
 */
export function createOperationLimits(limits: OperationLimits) {
  if (!limits.enabled) {
    return {
      apollo: {
        parseOptions: {},
        plugins: [hideSuggestions],
        validationRules: [] as ValidationRule[],
      },
      parse: undefined,
      validationRules: [] as ValidationRule[],
    };
  }
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    // Armor's token plugin throws outside Apollo's parse error handling (a 500, and a second
    // parse); graphql-js counts tokens in its own parser, and Apollo answers GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost },
    // Armor's own masking leaves "[Suggestion hidden]" behind; ours removes the sentence.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    apollo: {
      parseOptions: { maxTokens: limits.maxTokens },
      // Armor types its plugins with @apollo/server's CommonJS declarations; they are the same.
      plugins: [hideSuggestions, ...(armor.plugins as unknown as ApolloServerPlugin[])],
      validationRules: armor.validationRules,
    },
    parse: (source: string) => parse(source, { maxTokens: limits.maxTokens }),
    validationRules: armor.validationRules,
  };
}

export type OperationLimitsSetup = ReturnType<typeof createOperationLimits>;
