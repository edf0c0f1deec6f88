import { ApolloArmor } from '@escape.tech/graphql-armor';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCostLimit } from './operation-cost.js';

const schema = buildSchema(`
  type Query {
    products(first: Int = 20, after: String): ProductConnection!
    product(id: ID!): Product
    categories: [Category!]!
  }
  type ProductConnection { edges: [ProductEdge!]! totalCount: Int! }
  type ProductEdge { cursor: String! node: Product! }
  type Product { id: ID! name: String! category: Category }
  type Category { id: ID! products(first: Int = 20): ProductConnection! }
`);

/** What graphql-armor's own cost rule says a document costs. */
function armorCost(source: string): number {
  let found = Number.NaN;
  const { validationRules } = new ApolloArmor({
    costLimit: {
      maxCost: Number.MAX_SAFE_INTEGER,
      onAccept: [(_context, { n }) => void (found = n)],
    },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  expect(validate(schema, parse(source), validationRules)).toEqual([]);
  return found;
}

const limit = createCostLimit(5000);
const ourCost = (source: string, variables?: Record<string, unknown>) => {
  const document = parse(source);
  expect(validate(schema, document)).toEqual([]);
  const operation = document.definitions.find((node) => node.kind === 'OperationDefinition')!;
  return limit.costOf(schema, document, operation, variables);
};

const nested = (first: string) =>
  `products(first: ${first}) { edges { node { category { products(first: ${first}) { edges { node { id } } } } } } }`;

describe('createCostLimit', () => {
  it("computes graphql-armor's cost for operations written with literals", () => {
    const documents = [
      '{ products(first: 3) { edges { node { id name } } totalCount } }',
      '{ a: products(first: 100) { edges { node { id } } } b: products(first: 89) { edges { node { id } } } }',
      `{ ${nested('7')} }`,
      '{ categories { id products(first: 2) { totalCount } } __typename }',
      '{ __schema { types { name fields { name } } } products(first: 1) { totalCount } }',
      '{ product(id: "1") { ... on Product { id category { id } } } }',
      `query WithFragments { a: products(first: 4) { ...Page } b: products(first: 2) { ...Page } }
       fragment Page on ProductConnection { totalCount edges { node { ...Named } } }
       fragment Named on Product { id name }`,
    ];

    for (const document of documents) {
      expect(ourCost(document), document).toBe(armorCost(document));
    }
  });

  it('takes page sizes from variables, their defaults and the schema defaults', () => {
    const page = (first: string) => `{ products(first: ${first}) { edges { node { id } } } }`;

    expect(
      ourCost('query ($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 100 }),
    ).toBe(armorCost(page('100')));
    expect(ourCost('query ($n: Int = 7) { products(first: $n) { edges { node { id } } } }')).toBe(
      armorCost(page('7')),
    );
    expect(
      ourCost('query ($n: Int = 7) { products(first: $n) { edges { node { id } } } }', { n: 9 }),
    ).toBe(armorCost(page('9')));
    expect(ourCost('query ($n: Int) { products(first: $n) { edges { node { id } } } }')).toBe(
      armorCost(page('20')),
    );
    expect(
      ourCost('query ($n: Int = 7) { products(first: $n) { edges { node { id } } } }', { n: null }),
    ).toBe(armorCost(page('20')));
    expect(ourCost('{ products { edges { node { id } } } }')).toBe(armorCost(page('20')));
    expect(ourCost('{ products(first: null) { edges { node { id } } } }')).toBe(
      armorCost(page('20')),
    );
  });

  it('prices the same document differently per request, and refuses what costs too much', () => {
    const source = `query ($n: Int) { ${nested('$n')} }`;
    const document = parse(source);

    const cheap = limit.check(schema, document, undefined, { n: 1 });
    const costly = limit.check(schema, document, undefined, { n: 100 });
    const defaulted = limit.check(schema, document, undefined, {});

    expect(cheap).toBeUndefined();
    expect(costly?.message).toBe(
      `Query Cost limit of 5000 exceeded, found ${armorCost(`{ ${nested('100')} }`)}.`,
    );
    expect(costly?.extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      http: { status: 400 },
    });
    expect(defaulted).toBeDefined();
  });

  it('counts each variable where fragments use it, once per spread as armor does', () => {
    const source = `query ($n: Int) { a: products(first: 2) { ...Page } b: products(first: 3) { ...Page } }
      fragment Page on ProductConnection { edges { node { category { products(first: $n) { totalCount } } } } }`;
    const literal = source.replace('query ($n: Int) ', '').replace('$n', '5');

    expect(ourCost(source, { n: 5 })).toBe(armorCost(literal));
  });
});
