import { createSubscriptionClient } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createProduct,
  eventsPublished,
  startProductsSubgraph,
  type ProductsSubgraph,
} from './harness.js';

const StockChangedDocument = graphql(`
  subscription StockChanged($ids: [ID!]) {
    stockChanged(productIds: $ids) {
      stock
      product {
        id
        stock
        inStock
      }
    }
  }
`);

const AdjustDocument = graphql(`
  mutation AdjustForSubscription($id: ID!, $delta: Int!) {
    adjustStock(productId: $id, delta: $delta) {
      stock
    }
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

const waitForListeners = async (count: number) => {
  const deadline = Date.now() + 5000;
  while (subgraph.stockChanges.size < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('Subscription.stockChanged', () => {
  it('streams the changes of the products asked for, each with the product as it is now', async () => {
    const [watched, other] = await Promise.all([
      createProduct(subgraph, { stock: 5 }),
      createProduct(subgraph, { stock: 5 }),
    ]);
    await eventsPublished(subgraph, watched.id);
    const client = createSubscriptionClient(subgraph.wsUrl);
    const before = subgraph.stockChanges.size;
    const events = client.subscribe(StockChangedDocument, { ids: [watched.id] });
    await waitForListeners(before + 1);

    await subgraph.request(
      AdjustDocument,
      { id: other.id, delta: 3 },
      { token: subgraph.adminToken },
    );
    await subgraph.request(
      AdjustDocument,
      { id: watched.id, delta: -2 },
      { token: subgraph.adminToken },
    );
    await subgraph.request(
      AdjustDocument,
      { id: watched.id, delta: -3 },
      { token: subgraph.adminToken },
    );

    expect((await events.next()).data?.stockChanged).toEqual({
      stock: 3,
      product: { id: watched.id, stock: 3, inStock: true },
    });
    expect((await events.next()).data?.stockChanged).toEqual({
      stock: 0,
      product: { id: watched.id, stock: 0, inStock: false },
    });
    await client.dispose();
  });

  it('streams every product without a filter, anonymously', async () => {
    const product = await createProduct(subgraph, { stock: 1 });
    await eventsPublished(subgraph, product.id);
    const client = createSubscriptionClient(subgraph.wsUrl);
    const before = subgraph.stockChanges.size;
    const events = client.subscribe(StockChangedDocument, {});
    await waitForListeners(before + 1);

    await subgraph.request(
      AdjustDocument,
      { id: product.id, delta: 9 },
      { token: subgraph.adminToken },
    );

    let change;
    do change = (await events.next()).data?.stockChanged;
    while (change?.product.id !== product.id);
    expect(change.stock).toBe(10);
    await client.dispose();
  });

  it('refuses an empty or oversized id list with BAD_USER_INPUT', async () => {
    const client = createSubscriptionClient(subgraph.wsUrl);

    const empty = await client.subscribe(StockChangedDocument, { ids: [] }).next();
    const huge = await client
      .subscribe(StockChangedDocument, { ids: Array.from({ length: 101 }, (_, i) => `id-${i}`) })
      .next();

    expect(empty.errors).toMatchObject([
      { extensions: { code: 'BAD_USER_INPUT', field: 'productIds' } },
    ]);
    expect(huge.errors).toMatchObject([
      { extensions: { code: 'BAD_USER_INPUT', field: 'productIds' } },
    ]);
    await client.dispose();
  });

  it('frees its listener when the client goes away', async () => {
    const client = createSubscriptionClient(subgraph.wsUrl);
    const before = subgraph.stockChanges.size;
    client.subscribe(StockChangedDocument, {});
    await waitForListeners(before + 1);

    await client.dispose();

    const deadline = Date.now() + 5000;
    while (subgraph.stockChanges.size > before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(subgraph.stockChanges.size).toBe(before);
  });
});
