import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createCatalog,
  CreateCategoryDocument,
  CreateProductDocument,
  loginAdmin,
  registerCustomer,
  router,
} from './harness.js';

const CategoryPageDocument = graphql(`
  query E2ECategoryPage($categoryId: ID!, $first: Int, $after: String, $sort: ProductSort) {
    products(first: $first, after: $after, filter: { categoryId: $categoryId }, sort: $sort) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          price {
            amountCents
          }
          category {
            slug
          }
        }
      }
    }
  }
`);

const request = router();
let adminToken: string;
beforeAll(async () => {
  adminToken = (await loginAdmin(request)).accessToken;
});

describe('the catalog through the router', () => {
  it('refuses admin mutations to a customer (FORBIDDEN) and to an anonymous caller (UNAUTHENTICATED)', async () => {
    const customer = await registerCustomer(request);
    const category = { input: { name: 'Nope', slug: `nope-${randomUUID().slice(0, 8)}` } };
    const product = {
      input: { sku: `NOPE-${randomUUID().slice(0, 8)}`, name: 'Nope', priceCents: 100, stock: 1 },
    };

    expect(
      errorCodes(await request(CreateCategoryDocument, category, { token: customer.accessToken })),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await request(CreateProductDocument, product, { token: customer.accessToken })),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(CreateProductDocument, product))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets an admin create a category and products, and pages through each exactly once', async () => {
    const { category, products } = await createCatalog(request, adminToken, 7);

    for (const sort of ['NEWEST', 'NAME_ASC', 'PRICE_ASC', 'PRICE_DESC'] as const) {
      const seen: string[] = [];
      let after: string | null | undefined;
      do {
        const { data, errors } = await request(CategoryPageDocument, {
          categoryId: category.id,
          first: 3,
          after,
          sort,
        });
        expect(errors).toBeUndefined();
        expect(data!.products.totalCount).toBe(7);
        seen.push(...data!.products.edges.map((edge) => edge.node.id));
        after = data!.products.pageInfo.hasNextPage ? data!.products.pageInfo.endCursor : null;
      } while (after);

      expect(new Set(seen)).toEqual(new Set(products.map((product) => product.id)));
      expect(seen).toHaveLength(7);
    }
  });

  it('sorts by price with the product and its category filled in', async () => {
    const { category, products } = await createCatalog(request, adminToken, 3);

    const { data } = await request(CategoryPageDocument, {
      categoryId: category.id,
      sort: 'PRICE_DESC',
    });

    expect(data?.products.edges.map((edge) => edge.node)).toEqual(
      [...products].reverse().map((product) => ({
        id: product.id,
        name: product.name,
        price: { amountCents: product.price.amountCents },
        category: { slug: category.slug },
      })),
    );
  });
});
