import { randomUUID } from 'node:crypto';
import {
  createSubscriptionClient,
  generateSigningKeys,
  signTestToken,
  type TestSubscription,
} from '@cartograph/shared/testing';
import { print } from 'graphql';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from './__generated__/gql.js';
import type { E2EStockSubscription } from './__generated__/graphql.js';
import { createCatalog, loginAdmin, registerCustomer, router } from './harness.js';

const TrackOrderDocument = graphql(`
  subscription TrackOrder($id: ID!) {
    orderStatusChanged(orderId: $id) {
      status
      total {
        amountCents
      }
      items {
        quantity
        product {
          name
          price {
            amountCents
          }
        }
      }
      user {
        name
      }
    }
  }
`);

const MyUpdatesDocument = graphql(`
  subscription E2EMyUpdates {
    myOrderUpdates {
      id
      status
    }
  }
`);

const StockDocument = graphql(`
  subscription E2EStock($ids: [ID!]) {
    stockChanged(productIds: $ids) {
      stock
      product {
        name
      }
    }
  }
`);

const PlaceDocument = graphql(`
  mutation SubscriptionPlace($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`);

const MoveDocument = graphql(`
  mutation SubscriptionMove($id: ID!, $status: OrderStatus!) {
    updateOrderStatus(id: $id, status: $status) {
      status
    }
  }
`);

const AdjustDocument = graphql(`
  mutation SubscriptionAdjust($id: ID!, $delta: Int!) {
    adjustStock(productId: $id, delta: $delta) {
      stock
    }
  }
`);

const request = router();

/**
 * Waits until a stock subscription is live upstream, which no message of the protocol tells: it
 * is once a change reaches it. So this changes the product's stock until the event of the change
 * just made arrives, passing over any that come late (creating the product announced its stock
 * too), and answers the stock it left: no event of the product is left waiting after it.
 */
async function untilLive(events: TestSubscription<E2EStockSubscription>, productId: string) {
  for (;;) {
    const { data } = await request(
      AdjustDocument,
      { id: productId, delta: 1 },
      { token: adminToken },
    );
    const stock = data!.adjustStock.stock;
    try {
      while ((await events.next(2000)).data?.stockChanged.stock !== stock);
      return stock;
    } catch (error) {
      // No event within the wait: not live yet, so change it again (the read stays pending).
      if (events.ended) throw error;
    }
  }
}
const wsUrl = () => `${inject('routerUrl').replace('http', 'ws')}/graphql`;
let adminToken: string;
beforeAll(async () => {
  adminToken = (await loginAdmin(request)).accessToken;
});

describe('subscriptions through the router', () => {
  it('follows an order from PENDING to SHIPPED with fields from all three subgraphs on every event', async () => {
    const customer = await registerCustomer(request, 'Margaret Hamilton');
    const { products } = await createCatalog(request, adminToken, 2);
    const placed = await request(
      PlaceDocument,
      {
        input: {
          items: products.map((p, i) => ({ productId: p.id, quantity: i + 1 })),
          idempotencyKey: randomUUID(),
        },
      },
      { token: customer.accessToken },
    );
    const id = placed.data!.placeOrder.id;
    const client = createSubscriptionClient(wsUrl(), { token: customer.accessToken });
    const events = client.subscribe(TrackOrderDocument, { id });

    const seen = [(await events.next()).data!.orderStatusChanged];
    if (seen[0]!.status === 'PENDING') seen.push((await events.next()).data!.orderStatusChanged);
    await request(MoveDocument, { id, status: 'PAID' }, { token: adminToken });
    seen.push((await events.next()).data!.orderStatusChanged);
    await request(MoveDocument, { id, status: 'SHIPPED' }, { token: adminToken });
    seen.push((await events.next()).data!.orderStatusChanged);

    const items = products.map((p, i) => ({
      quantity: i + 1,
      product: { name: p.name, price: { amountCents: p.price.amountCents } },
    }));
    const total = products.reduce((sum, p, i) => sum + p.price.amountCents * (i + 1), 0);
    expect(seen.slice(-3).map((event) => event.status)).toEqual(['CONFIRMED', 'PAID', 'SHIPPED']);
    for (const event of seen) {
      expect(event).toMatchObject({ items, user: { name: 'Margaret Hamilton' } });
    }
    expect(seen.at(-1)).toMatchObject({ total: { amountCents: total } });
    await client.dispose();
  });

  it("answers someone else's order with NOT_FOUND and an anonymous myOrderUpdates with UNAUTHENTICATED", async () => {
    const [owner, other] = await Promise.all([
      registerCustomer(request),
      registerCustomer(request),
    ]);
    const { products } = await createCatalog(request, adminToken, 1);
    const placed = await request(
      PlaceDocument,
      {
        input: {
          items: [{ productId: products[0]!.id, quantity: 1 }],
          idempotencyKey: randomUUID(),
        },
      },
      { token: owner.accessToken },
    );
    const asOther = createSubscriptionClient(wsUrl(), { token: other.accessToken });
    const anonymous = createSubscriptionClient(wsUrl());

    const foreign = await asOther
      .subscribe(TrackOrderDocument, { id: placed.data!.placeOrder.id })
      .next();
    const mine = await anonymous.subscribe(MyUpdatesDocument).next();

    expect(foreign.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    expect(mine.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(JSON.stringify([foreign, mine])).not.toMatch(/orders|serviceName|stack/i);
    await Promise.all([asOther.dispose(), anonymous.dispose()]);
  });

  it('refuses a connection whose token is forged', async () => {
    const forged = await signTestToken(generateSigningKeys().privateKeyPem, { role: 'ADMIN' });
    const client = createSubscriptionClient(wsUrl(), { token: forged });

    const outcome = await client
      .subscribe(MyUpdatesDocument)
      .next()
      .catch((error: unknown) => error);

    expect(outcome).toMatchObject({ code: 4403 });
    await client.dispose();
  });

  it('closes the connection with a clear reason when the access token expires', async () => {
    const token = await signTestToken(inject('privateKeyPem'), {
      sub: randomUUID(),
      expiresIn: Math.floor(Date.now() / 1000) + 2,
    });
    const client = createSubscriptionClient(wsUrl(), { token });
    const events = client.subscribe(MyUpdatesDocument);

    const outcome = await events.next(6000).catch((error: unknown) => error);

    expect(outcome).toMatchObject({ code: 4401, reason: 'Access token expired' });
    await client.dispose();
  });

  it('streams stock changes of chosen products, with their names, to an anonymous client', async () => {
    const { products } = await createCatalog(request, adminToken, 2);
    const [watched, other] = products as [(typeof products)[0], (typeof products)[0]];
    const client = createSubscriptionClient(wsUrl());
    const events = client.subscribe(StockDocument, { ids: [watched.id] });
    const stock = await untilLive(events, watched.id);

    await request(AdjustDocument, { id: other.id, delta: 1 }, { token: adminToken });
    await request(AdjustDocument, { id: watched.id, delta: 5 }, { token: adminToken });

    expect((await events.next()).data?.stockChanged).toEqual({
      stock: stock + 5,
      product: { name: watched.name },
    });
    await client.dispose();
  });
});

/** One operation's first result, or what ended it: its errors, or its connection's close. */
function outcome(client: Client, payload: SubscribePayload) {
  return new Promise<unknown>((resolve) => {
    const stop = client.subscribe(payload, {
      next: (result) => {
        resolve(result);
        stop();
      },
      error: resolve,
      complete: () => resolve('completed'),
    });
  });
}

const connect = (connectionParams?: Record<string, unknown>) =>
  createClient({ url: wsUrl(), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });

describe("one client's bad input through the router", () => {
  it("ends only that client's connection or operation: every other subscription keeps receiving", async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 1);
    const product = products[0]!;
    const placed = await request(
      PlaceDocument,
      { input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: randomUUID() } },
      { token: customer.accessToken },
    );
    const orderId = placed.data!.placeOrder.id;
    const anonymous = createSubscriptionClient(wsUrl());
    const signedIn = createSubscriptionClient(wsUrl(), { token: customer.accessToken });
    const perOperation = createSubscriptionClient(wsUrl(), {
      token: customer.accessToken,
      tokenPerOperation: true,
    });
    const watchers = [
      anonymous.subscribe(StockDocument, { ids: [product.id] }),
      perOperation.subscribe(StockDocument, { ids: [product.id] }),
    ];
    const order = signedIn.subscribe(TrackOrderDocument, { id: orderId });
    let status = (await order.next()).data?.orderStatusChanged.status;
    while (status === 'PENDING') status = (await order.next()).data?.orderStatusChanged.status;
    // Each is live upstream once a change reaches it (one made just before may be missed).
    for (const watcher of watchers) {
      for (;;) {
        await request(AdjustDocument, { id: product.id, delta: 1 }, { token: adminToken });
        if (await watcher.next(2000).catch(() => undefined)) break;
      }
    }
    const stock = { query: print(StockDocument), variables: { ids: [product.id] } };
    const token = customer.accessToken;
    const [bareInConnection, shared] = [connect({ authorization: token }), connect()];

    const refusals = await Promise.all([
      outcome(bareInConnection, stock),
      outcome(shared, { ...stock, extensions: { authorization: token } }),
      outcome(shared, { ...stock, extensions: { authorization: { token } } }),
      outcome(shared, { ...stock, extensions: { authorization: `Bearer ${token}x` } }),
    ]);
    // An operation that fails at the router in a way of its own (a validation rule throws on a
    // @skip variable) gets its error, and its connection's other subscription carries on.
    const mixed = connect();
    const alongside = mixed.iterate(stock);
    const first = alongside.next();
    let live = false;
    while (!live) {
      await request(AdjustDocument, { id: product.id, delta: 1 }, { token: adminToken });
      live = await Promise.race([
        first.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
      ]);
    }
    const failing = await outcome(mixed, {
      query: 'subscription Odd($s: Boolean!) { stockChanged @skip(if: $s) { stock } }',
      variables: { s: true },
    });
    const { data: adjusted } = await request(
      AdjustDocument,
      { id: product.id, delta: 100 },
      { token: adminToken },
    );
    await request(MoveDocument, { id: orderId, status: 'PAID' }, { token: adminToken });

    expect(refusals).toMatchObject([
      { code: 4403 },
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
    ]);
    expect(failing).toMatchObject([{ extensions: { code: expect.any(String) } }]);
    const final = adjusted!.adjustStock.stock;
    const fromAlongside = async () =>
      (await alongside.next()).value as Awaited<ReturnType<(typeof watchers)[0]['next']>>;
    const changes = [...watchers.map((watcher) => () => watcher.next()), fromAlongside];
    for (const nextChange of changes) {
      let change;
      do change = (await nextChange()).data?.stockChanged;
      while (change?.stock !== final);
      expect(change).toEqual({ stock: final, product: { name: product.name } });
    }
    expect((await order.next()).data?.orderStatusChanged.status).toBe('PAID');
    await alongside.return?.();
    await Promise.all(
      [anonymous, signedIn, perOperation, bareInConnection, shared, mixed].map((client) =>
        client.dispose(),
      ),
    );
  });
});
