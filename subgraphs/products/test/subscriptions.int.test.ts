import { createSubscriptionClient } from '@cartograph/shared/testing';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from './__generated__/gql.js';
import {
  createCategory,
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

const ArchiveDocument = graphql(`
  mutation ArchiveForSubscription($id: ID!) {
    deleteProduct(id: $id)
  }
`);

const StockWithCategoryDocument = graphql(`
  subscription StockWithCategory($ids: [ID!]) {
    stockChanged(productIds: $ids) {
      stock
      product {
        id
        name
        category {
          name
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

const waitForListeners = async (count: number) => {
  const deadline = Date.now() + 5000;
  while (subgraph.stockChanges.size < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const adjust = (id: string, delta: number) =>
  subgraph.request(AdjustDocument, { id, delta }, { token: subgraph.adminToken });

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

describe('Subscription.stockChanged, what an event costs', () => {
  /**
   * The SQL one stock change costs this process, mutation included, with `followers`
   * subscriptions on its product, each its own operation as the router sends them.
   */
  async function statementsPerChange(followers: number) {
    const category = await createCategory(subgraph);
    const product = await createProduct(subgraph, { stock: 5, categoryId: category.id });
    await eventsPublished(subgraph, product.id);
    // Earlier tests' listeners are gone, so no event but this product's is loaded meanwhile.
    const deadline = Date.now() + 5000;
    while (subgraph.stockChanges.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(subgraph.stockChanges.size).toBe(0);
    const clients = Array.from({ length: Math.ceil(followers / 25) }, () =>
      createSubscriptionClient(subgraph.wsUrl),
    );
    const subscriptions = Array.from({ length: followers }, (_, i) =>
      clients[i % clients.length]!.subscribe(StockWithCategoryDocument, { ids: [product.id] }),
    );
    const reach = (stock: number) =>
      Promise.all(
        subscriptions.map(async (subscription) => {
          let event;
          do event = await subscription.next();
          while (event.data?.stockChanged.stock !== stock);
          return event.data.stockChanged;
        }),
      );
    await waitForListeners(followers);
    // Once every subscriber has this change, the follower is past the product's creation (which
    // may reach it late, after the subscriptions began), and counting can start.
    await adjust(product.id, 1);
    await reach(6);
    subgraph.sql.reset();

    await adjust(product.id, 2);
    const changes = await reach(8);

    expect(changes).toEqual(
      Array(followers).fill({
        stock: 8,
        product: { id: product.id, name: product.name, category: { name: category.name } },
      }),
    );
    const statements = subgraph.sql.count();
    await Promise.all(clients.map((client) => client.dispose()));
    return statements;
  }

  it('costs the database the same for 50 subscribers as for one', async () => {
    const forOne = await statementsPerChange(1);
    const forFifty = await statementsPerChange(50);

    expect(forFifty).toBe(forOne);
  });
});

describe('Subscription.stockChanged and archived products', () => {
  it('never streams a change of an archived product, to followers of it or of everything', async () => {
    const [archived, live] = await Promise.all([
      createProduct(subgraph, { stock: 5 }),
      createProduct(subgraph, { stock: 5 }),
    ]);
    await Promise.all([eventsPublished(subgraph, archived.id), eventsPublished(subgraph, live.id)]);
    await subgraph.request(ArchiveDocument, { id: archived.id }, { token: subgraph.adminToken });
    const client = createSubscriptionClient(subgraph.wsUrl);
    const before = subgraph.stockChanges.size;
    const named = client.subscribe(StockChangedDocument, { ids: [archived.id, live.id] });
    const everything = client.subscribe(StockChangedDocument, {});
    await waitForListeners(before + 2);

    await adjust(archived.id, 3);
    // The archived product's change is on the stream first: the live one's comes after it.
    await eventsPublished(subgraph, archived.id);
    await adjust(live.id, 1);

    expect((await named.next()).data?.stockChanged.product.id).toBe(live.id);
    let change;
    do {
      change = (await everything.next()).data?.stockChanged;
      expect(change?.product.id).not.toBe(archived.id);
    } while (change?.product.id !== live.id);
    await client.dispose();
  });
});

describe('Subscription.stockChanged on a connection shared by many callers', () => {
  it("answers one operation's malformed token with UNAUTHENTICATED and keeps the others streaming", async () => {
    const product = await createProduct(subgraph, { stock: 5 });
    await eventsPublished(subgraph, product.id);
    // As the router multiplexes clients: one connection, each operation with its caller's token.
    const shared = createClient({
      url: subgraph.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    const query = print(StockChangedDocument);
    const variables = { ids: [product.id] };
    const before = subgraph.stockChanges.size;
    const others = [
      shared.iterate({ query, variables }),
      shared.iterate({
        query,
        variables,
        extensions: { authorization: `Bearer ${subgraph.customerToken}` },
      }),
    ];
    await waitForListeners(before + 2);

    // A valid token without "Bearer ": the subgraph's context could not be made from it.
    const bare = await shared
      .iterate({ query, variables, extensions: { authorization: subgraph.customerToken } })
      .next()
      .catch((error: unknown) => error);
    await adjust(product.id, -1);

    expect(bare).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
    for (const other of others) {
      expect((await other.next()).value).toMatchObject({
        data: { stockChanged: { stock: 4, product: { id: product.id } } },
      });
    }
    await Promise.all(others.map((other) => other.return?.()));
    await shared.dispose();
  });
});
