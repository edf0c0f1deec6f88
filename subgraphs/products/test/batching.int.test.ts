import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createCategory,
  createProduct,
  startProductsSubgraph,
  unique,
  type ProductsSubgraph,
} from './harness.js';

const ListingDocument = graphql(`
  query ListingWithCategories($first: Int, $search: String) {
    products(first: $first, filter: { search: $search }) {
      totalCount
      edges {
        node {
          id
          category {
            name
          }
        }
      }
    }
  }
`);

const CategoryPagesDocument = graphql(`
  query CategoryPages {
    categories {
      id
      products(first: 2) {
        totalCount
        edges {
          node {
            id
            category {
              id
            }
          }
        }
      }
    }
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

/** SQL statements one request costs, after checking it succeeded. */
async function statementsOf(run: () => Promise<{ errors?: unknown }>) {
  subgraph.sql.reset();
  const { errors } = await run();
  expect(errors).toBeUndefined();
  return subgraph.sql.count();
}

describe('SQL per request', () => {
  it('lists 30 products with their categories in as many statements as 3', async () => {
    const word = `batch${unique()}`;
    const categories = [
      await createCategory(subgraph),
      await createCategory(subgraph),
      await createCategory(subgraph),
    ];
    for (let i = 0; i < 30; i++)
      await createProduct(subgraph, { name: `${word} ${i}`, categoryId: categories[i % 3]!.id });

    const list = (first: number) => () =>
      subgraph.request(ListingDocument, { first, search: word });
    const thirty = await statementsOf(list(30));
    const three = await statementsOf(list(3));

    expect((await list(30)()).data?.products.edges).toHaveLength(30);
    expect(three).toBeGreaterThan(0);
    expect(thirty).toBe(three);
  });

  it("pages every category's products in the same statements, however many categories", async () => {
    const pages = () => subgraph.request(CategoryPagesDocument, {});
    const category = await createCategory(subgraph);
    await createProduct(subgraph, { categoryId: category.id });
    const before = await statementsOf(pages);

    for (let i = 0; i < 5; i++) {
      const more = await createCategory(subgraph);
      await createProduct(subgraph, { categoryId: more.id });
      await createProduct(subgraph, { categoryId: more.id });
      await createProduct(subgraph, { categoryId: more.id });
    }
    const after = await statementsOf(pages);

    const { data } = await pages();
    expect(data?.categories.find((c) => c.id === category.id)?.products.totalCount).toBe(1);
    expect(after).toBe(before);
  });
});
