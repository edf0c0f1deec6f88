import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createCategory,
  createProduct,
  startProductsSubgraph,
  type ProductsSubgraph,
} from './harness.js';

const EntitiesDocument = graphql(`
  query ProductEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Product {
        id
        name
        category {
          name
        }
      }
      ... on Category {
        id
        slug
      }
    }
  }
`);

const ArchiveDocument = graphql(`
  mutation ArchiveForEntities($id: ID!) {
    deleteProduct(id: $id)
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

describe('Product and Category @key(fields: "id")', () => {
  it('resolves references in order, archived products included, null for unknown ids', async () => {
    const category = await createCategory(subgraph, 'Tools');
    const product = await createProduct(subgraph, { name: 'Hammer', categoryId: category.id });
    const archived = await createProduct(subgraph, { name: 'Old saw' });
    await subgraph.request(ArchiveDocument, { id: archived.id }, { token: subgraph.adminToken });

    const { data } = await subgraph.request(EntitiesDocument, {
      representations: [
        { __typename: 'Product', id: archived.id },
        { __typename: 'Category', id: category.id },
        { __typename: 'Product', id: randomUUID() },
        { __typename: 'Product', id: product.id },
      ],
    });

    expect(data?._entities).toEqual([
      { id: archived.id, name: 'Old saw', category: null },
      { id: category.id, slug: category.slug },
      null,
      { id: product.id, name: 'Hammer', category: { name: 'Tools' } },
    ]);
  });

  it('resolves unknown ids, and ids that are not strings, to null', async () => {
    const { data, errors } = await subgraph.request(EntitiesDocument, {
      representations: [
        { __typename: 'Category', id: randomUUID() },
        { __typename: 'Category', id: 42 },
        { __typename: 'Product' },
      ],
    });

    expect(errors).toBeUndefined();
    expect(data?._entities).toEqual([null, null, null]);
  });

  it('costs the same number of SQL statements for 30 products with categories as for 3', async () => {
    const categories = await Promise.all([
      createCategory(subgraph),
      createCategory(subgraph),
      createCategory(subgraph),
    ]);
    const products: { id: string }[] = [];
    for (let i = 0; i < 30; i++)
      products.push(await createProduct(subgraph, { categoryId: categories[i % 3]!.id }));
    const statementsFor = async (count: number) => {
      subgraph.sql.reset();
      const { errors } = await subgraph.request(EntitiesDocument, {
        representations: products.slice(0, count).map(({ id }) => ({ __typename: 'Product', id })),
      });
      expect(errors).toBeUndefined();
      return subgraph.sql.count();
    };

    const [thirty, three] = [await statementsFor(30), await statementsFor(3)];

    expect(three).toBeGreaterThan(0);
    expect(thirty).toBe(three);
  });
});
