import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createProduct, startProductsSubgraph, type ProductsSubgraph } from './harness.js';

const AdjustStockDocument = graphql(`
  mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String) {
    adjustStock(productId: $productId, delta: $delta, reason: $reason) {
      id
      stock
      inStock
      updatedAt
    }
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

const adjust = (productId: string, delta: number, reason?: string) =>
  subgraph.request(
    AdjustStockDocument,
    { productId, delta, reason },
    { token: subgraph.adminToken },
  );

describe('Mutation.adjustStock', () => {
  it('adds and removes stock, each change in the ledger', async () => {
    const product = await createProduct(subgraph, { stock: 5 });

    const startedAt = Date.now();
    const added = await adjust(product.id, 10, 'restock');
    const removed = await adjust(product.id, -15, 'damaged');

    expect(added.data?.adjustStock).toMatchObject({ id: product.id, stock: 15, inStock: true });
    expect(removed.data?.adjustStock).toMatchObject({ id: product.id, stock: 0, inStock: false });
    // Written by SQL rather than Prisma, so check it is the same UTC instant Prisma would write.
    const updatedAt = Date.parse(removed.data!.adjustStock.updatedAt);
    expect(Math.abs(updatedAt - startedAt)).toBeLessThan(60_000);
    const ledger = await subgraph.db.stockMovement.findMany({
      where: { productId: product.id },
      orderBy: { id: 'asc' },
    });
    expect(ledger.map(({ delta, stockAfter, reason }) => ({ delta, stockAfter, reason }))).toEqual([
      { delta: 5, stockAfter: 5, reason: 'created' },
      { delta: 10, stockAfter: 15, reason: 'restock' },
      { delta: -15, stockAfter: 0, reason: 'damaged' },
    ]);
  });

  it('refuses to go below 0 with CONFLICT and changes nothing', async () => {
    const product = await createProduct(subgraph, { stock: 3 });

    const result = await adjust(product.id, -4);

    expect(result.errors).toMatchObject([
      { extensions: { code: 'CONFLICT' }, message: expect.stringContaining('3 in stock') },
    ]);
    expect(
      await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } }),
    ).toMatchObject({ stock: 3 });
    expect(await subgraph.db.stockMovement.count({ where: { productId: product.id } })).toBe(1);
  });

  it('refuses a delta that would overflow a 32-bit stock with BAD_USER_INPUT', async () => {
    const product = await createProduct(subgraph, { stock: 1_000_000_000 });
    await adjust(product.id, 1_000_000_000);

    const result = await adjust(product.id, 2_000_000_000);

    expect(result.errors).toMatchObject([
      { extensions: { code: 'BAD_USER_INPUT', field: 'delta' } },
    ]);
    expect(
      await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } }),
    ).toMatchObject({ stock: 2_000_000_000 });
  });

  it.each([
    ['a delta of 0', 0, 'delta'],
    ['a reason over 500 characters', 1, 'reason'],
    ['a reason with NUL', 1, 'input'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, delta, field) => {
    const product = await createProduct(subgraph);

    const result = await adjust(
      product.id,
      delta,
      _case.includes('NUL') ? 'a\u0000b' : _case.includes('500') ? 'r'.repeat(501) : undefined,
    );

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });

  it('is NOT_FOUND for a missing product, even a weird id', async () => {
    const results = await Promise.all([randomUUID(), 'x'].map((id) => adjust(id, 1)));

    expect(results.map(errorCodes)).toEqual([['NOT_FOUND'], ['NOT_FOUND']]);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const product = await createProduct(subgraph, { stock: 4 });
    const variables = { productId: product.id, delta: 1 };

    const asCustomer = await subgraph.request(AdjustStockDocument, variables, {
      token: subgraph.customerToken,
    });
    const anonymous = await subgraph.request(AdjustStockDocument, variables);

    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(
      await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } }),
    ).toMatchObject({ stock: 4 });
  });

  it('never oversells under concurrent adjustments: 20 removals of 1 from 10 units', async () => {
    const product = await createProduct(subgraph, { stock: 10 });

    const results = await Promise.all(Array.from({ length: 20 }, () => adjust(product.id, -1)));

    expect(results.filter((result) => result.data?.adjustStock)).toHaveLength(10);
    expect(results.flatMap(errorCodes)).toEqual(Array(10).fill('CONFLICT'));
    expect(
      await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } }),
    ).toMatchObject({ stock: 0 });
    expect(
      await subgraph.db.stockMovement.count({ where: { productId: product.id, delta: -1 } }),
    ).toBe(10);
  });
});
