import { randomUUID } from 'node:crypto';
import { encodeCursor } from '@cartograph/shared';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import type { ProductFilter, ProductSort } from './__generated__/graphql.js';
import {
  createCategory,
  createProduct,
  newestFirst,
  startProductsSubgraph,
  unique,
  type ProductsSubgraph,
} from './harness.js';

const ProductsDocument = graphql(`
  query Products($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
    products(first: $first, after: $after, filter: $filter, sort: $sort) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          stock
          price {
            amountCents
          }
        }
      }
    }
  }
`);

const ProductDocument = graphql(`
  query ProductById($id: ID!) {
    product(id: $id) {
      id
      name
    }
  }
`);

const CategoriesDocument = graphql(`
  query Categories($first: Int, $after: String) {
    categories {
      id
      slug
      products(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
          }
        }
      }
    }
  }
`);

const DeleteDocument = graphql(`
  mutation ArchiveForQuery($id: ID!) {
    deleteProduct(id: $id)
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

async function walk(filter: ProductFilter, sort: ProductSort, first = 2) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let after: string | null | undefined;
  do {
    const { data, errors } = await subgraph.request(ProductsDocument, {
      first,
      after,
      filter,
      sort,
    });
    expect(errors).toBeUndefined();
    totals.add(data!.products.totalCount);
    ids.push(...data!.products.edges.map((edge) => edge.node.id));
    after = data!.products.pageInfo.hasNextPage ? data!.products.pageInfo.endCursor : null;
  } while (after);
  return { ids, totals: [...totals] };
}

describe('Query.products', () => {
  it('walks every live product of a category exactly once, in the order of each sort', async () => {
    const category = await createCategory(subgraph);
    const specs = [
      { name: 'Banana', priceCents: 300 },
      { name: 'Apple', priceCents: 300 },
      { name: 'Cherry', priceCents: 100 },
      { name: 'Banana', priceCents: 900 },
      { name: 'Elderberry', priceCents: 500 },
    ];
    const made = [];
    for (const spec of specs)
      made.push({
        ...spec,
        ...(await createProduct(subgraph, { ...spec, categoryId: category.id })),
      });
    const archived = await createProduct(subgraph, { name: 'Archived', categoryId: category.id });
    await subgraph.request(DeleteDocument, { id: archived.id }, { token: subgraph.adminToken });
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

    const expectations: [ProductSort, typeof made][] = [
      ['NEWEST', newestFirst(made)],
      [
        'NAME_ASC',
        [...made].sort((a, b) => (a.name === b.name ? byId(a, b) : a.name < b.name ? -1 : 1)),
      ],
      ['PRICE_ASC', [...made].sort((a, b) => a.priceCents - b.priceCents || byId(a, b))],
      ['PRICE_DESC', [...made].sort((a, b) => b.priceCents - a.priceCents || byId(b, a))],
    ];
    for (const [sort, expected] of expectations) {
      const { ids, totals } = await walk({ categoryId: category.id }, sort);

      expect(ids, sort).toEqual(expected.map((product) => product.id));
      expect(totals, sort).toEqual([5]);
    }
  });

  it('filters by price range and stock', async () => {
    const category = await createCategory(subgraph);
    const cheap = await createProduct(subgraph, {
      categoryId: category.id,
      priceCents: 100,
      stock: 0,
    });
    const middle = await createProduct(subgraph, {
      categoryId: category.id,
      priceCents: 500,
      stock: 2,
    });
    await createProduct(subgraph, { categoryId: category.id, priceCents: 900, stock: 1 });

    const range = await walk(
      { categoryId: category.id, minPriceCents: 100, maxPriceCents: 500 },
      'PRICE_ASC',
    );
    const soldOut = await walk({ categoryId: category.id, inStock: false }, 'NEWEST');
    const available = await walk(
      { categoryId: category.id, inStock: true, maxPriceCents: 500 },
      'NEWEST',
    );

    expect(range.ids).toEqual([cheap.id, middle.id]);
    expect(soldOut.ids).toEqual([cheap.id]);
    expect(available.ids).toEqual([middle.id]);
  });

  it('searches name, description and sku case-insensitively, with % and _ as plain text', async () => {
    const word = `zq${unique()}`;
    const byName = await createProduct(subgraph, { name: `The ${word.toUpperCase()} lamp` });
    const byDescription = await createProduct(subgraph, { description: `Pairs well with ${word}` });
    const bySku = await createProduct(subgraph, { sku: `SKU-${word}` });
    const percent = await createProduct(subgraph, { name: `${word} 100% cotton` });
    const lookalike = await createProduct(subgraph, { name: `${word} 100X cotton` });
    const backslash = await createProduct(subgraph, { name: `${word} C:\\games` });

    const found = await walk({ search: word }, 'NEWEST', 10);
    const literal = await walk({ search: `${word} 100%` }, 'NEWEST');
    const underscore = await walk({ search: `${word}_` }, 'NEWEST');
    const escaped = await walk({ search: `${word} C:\\g` }, 'NEWEST');

    expect(found.ids).toEqual(
      newestFirst([lookalike, percent, bySku, byDescription, byName, backslash]).map(
        (product) => product.id,
      ),
    );
    expect(literal.ids).toEqual([percent.id]);
    expect(underscore.ids).toEqual([]);
    expect(escaped.ids).toEqual([backslash.id]);
  });

  it('finds nothing for an unknown category id', async () => {
    const unknown = await walk({ categoryId: randomUUID() }, 'NEWEST');

    expect(unknown).toEqual({ ids: [], totals: [0] });
  });

  it('hides archived products from listings and search', async () => {
    const word = `arch${unique()}`;
    const product = await createProduct(subgraph, { name: word });
    await subgraph.request(DeleteDocument, { id: product.id }, { token: subgraph.adminToken });

    expect((await walk({ search: word }, 'NEWEST')).ids).toEqual([]);
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a garbage cursor', { after: '%%%' }, 'after'],
    ['a negative first', { first: -1 }, 'first'],
    ['min above max', { filter: { minPriceCents: 10, maxPriceCents: 5 } }, 'filter.minPriceCents'],
    ['a search over 200 characters', { filter: { search: 's'.repeat(201) } }, 'filter.search'],
    [
      'a search with NUL, which Postgres text cannot hold',
      { filter: { search: 'a\u0000b' } },
      'input',
    ],
    ['a category id with NUL', { filter: { categoryId: 'a\u0000b' } }, 'input'],
    [
      'a forged cursor beyond a 32-bit price',
      { sort: 'PRICE_ASC' as const, after: encodeCursor(['PRICE_ASC', 2 ** 40, randomUUID()]) },
      'after',
    ],
    [
      'a forged cursor in year 0, which Postgres lacks',
      { after: encodeCursor(['NEWEST', '0000-01-01T00:00:00Z', randomUUID()]) },
      'after',
    ],
    [
      'a forged cursor with NUL in its id',
      { after: encodeCursor(['NEWEST', new Date().toISOString(), 'a\u0000']) },
      'after',
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables, field) => {
    const result = await subgraph.request(ProductsDocument, variables);

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });

  it('refuses a cursor made for another sort with BAD_USER_INPUT', async () => {
    const category = await createCategory(subgraph);
    await createProduct(subgraph, { categoryId: category.id });
    await createProduct(subgraph, { categoryId: category.id });
    const { data } = await subgraph.request(ProductsDocument, {
      first: 1,
      filter: { categoryId: category.id },
      sort: 'NEWEST',
    });

    const result = await subgraph.request(ProductsDocument, {
      first: 1,
      after: data!.products.pageInfo.endCursor,
      filter: { categoryId: category.id },
      sort: 'PRICE_ASC',
    });

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('Query.product', () => {
  it('returns a product, null for a missing or weird id, and refuses NUL', async () => {
    const product = await createProduct(subgraph, { name: 'Lamp' });

    const found = await subgraph.request(ProductDocument, { id: product.id });
    const missing = await subgraph.request(ProductDocument, { id: randomUUID() });
    const weird = await subgraph.request(ProductDocument, {
      id: `x'; DROP TABLE products; --${'y'.repeat(10_000)}`,
    });
    const withNul = await subgraph.request(ProductDocument, { id: 'x\u0000' });

    expect(found.data?.product).toEqual({ id: product.id, name: 'Lamp' });
    expect(missing).toEqual({ data: { product: null } });
    expect(weird).toEqual({ data: { product: null } });
    expect(withNul.errors).toMatchObject([
      { extensions: { code: 'BAD_USER_INPUT', field: 'input' } },
    ]);
  });

  it('shows an archived product to admins only', async () => {
    const product = await createProduct(subgraph);
    await subgraph.request(DeleteDocument, { id: product.id }, { token: subgraph.adminToken });

    const anonymous = await subgraph.request(ProductDocument, { id: product.id });
    const customer = await subgraph.request(
      ProductDocument,
      { id: product.id },
      { token: subgraph.customerToken },
    );
    const admin = await subgraph.request(
      ProductDocument,
      { id: product.id },
      { token: subgraph.adminToken },
    );

    expect(anonymous.data?.product).toBeNull();
    expect(customer.data?.product).toBeNull();
    expect(admin.data?.product?.id).toBe(product.id);
  });
});

describe('Query.categories', () => {
  it('lists every category by name', async () => {
    const suffix = unique();
    const later = await createCategory(subgraph, `Zz ${suffix}`);
    const earlier = await createCategory(subgraph, `Aa ${suffix}`);

    const { data } = await subgraph.request(CategoriesDocument, { first: 0 });

    const mine = data!.categories.filter((c) => c.id === later.id || c.id === earlier.id);
    expect(mine.map((c) => c.id)).toEqual([earlier.id, later.id]);
  });
});

describe('Category.products', () => {
  it("pages through the category's live products, newest first", async () => {
    const category = await createCategory(subgraph);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await createProduct(subgraph, { categoryId: category.id }));
    const [newest, middle, oldest] = newestFirst(made);
    await subgraph.request(DeleteDocument, { id: middle!.id }, { token: subgraph.adminToken });

    const page1 = await subgraph.request(CategoriesDocument, { first: 1 });
    const mine1 = page1.data!.categories.find((c) => c.id === category.id)!;
    const page2 = await subgraph.request(CategoriesDocument, {
      first: 1,
      after: mine1.products.pageInfo.endCursor,
    });
    const mine2 = page2.data!.categories.find((c) => c.id === category.id)!;

    expect(mine1.products).toMatchObject({
      totalCount: 2,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { id: newest!.id } }],
    });
    expect(mine2.products).toMatchObject({
      totalCount: 2,
      pageInfo: { hasNextPage: false },
      edges: [{ node: { id: oldest!.id } }],
    });
  });

  it.each([
    ['first over 100', { first: 101 }],
    ['a cursor made for another sort', { after: encodeCursor(['PRICE_ASC', 100, randomUUID()]) }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
    await createCategory(subgraph);

    const result = await subgraph.request(CategoriesDocument, variables);

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
  });
});
