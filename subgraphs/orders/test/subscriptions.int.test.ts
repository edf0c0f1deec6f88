import { eventFields, newEvent, streams } from '@cartograph/shared';
import {
  createSubscriptionClient,
  signTestToken,
  testRedisUrl,
  type TestSubscription,
} from '@cartograph/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { moveOrder, placeOrderFor, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

const OrderStatusDocument = graphql(`
  subscription OrderStatus($id: ID!) {
    orderStatusChanged(orderId: $id) {
      id
      status
      total {
        amountCents
      }
      history {
        status
      }
    }
  }
`);

const MyOrdersDocument = graphql(`
  subscription MyOrders {
    myOrderUpdates {
      id
      status
    }
  }
`);

const UpdateStatusDocument = graphql(`
  mutation MoveForSubscription($id: ID!, $status: OrderStatus!) {
    updateOrderStatus(id: $id, status: $status) {
      status
    }
  }
`);

let subgraph: OrdersSubgraph;
let redis: Redis;
beforeAll(async () => {
  subgraph = await startOrdersSubgraph();
  redis = new Redis(testRedisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await subgraph.stop();
});

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return check();
};

describe('Subscription.orderStatusChanged', () => {
  it('emits the current state first, then each change with fresh nested data', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner, 1);
    const client = createSubscriptionClient(subgraph.wsUrl, { token: owner.token });
    const events = client.subscribe(OrderStatusDocument, { id: order.id });

    const first = await events.next();
    await redis.xadd(
      `${inject('redisPrefix')}${streams.stockReplies}`,
      '*',
      ...eventFields(
        newEvent('StockReserved', order.id, {
          orderId: order.id,
          lines: order.items.map((item) => ({
            productId: item.product.id,
            quantity: item.quantity,
            unitPriceCents: 700,
            currency: 'USD',
          })),
        }),
      ),
    );
    const confirmed = await events.next();
    await subgraph.request(
      UpdateStatusDocument,
      { id: order.id, status: 'PAID' },
      { token: admin.token },
    );
    const paid = await events.next();

    expect(first.data?.orderStatusChanged).toEqual({
      id: order.id,
      status: 'PENDING',
      total: null,
      history: [{ status: 'PENDING' }],
    });
    expect(confirmed.data?.orderStatusChanged).toMatchObject({
      status: 'CONFIRMED',
      total: { amountCents: 700 },
    });
    expect(paid.data?.orderStatusChanged.history.map((change) => change.status)).toEqual([
      'PENDING',
      'CONFIRMED',
      'PAID',
    ]);
    await client.dispose();
  });

  it("answers someone else's order with NOT_FOUND and an anonymous caller with UNAUTHENTICATED", async () => {
    const [owner, other] = await Promise.all([subgraph.customer(), subgraph.customer()]);
    const order = await placeOrderFor(subgraph, owner, 1);
    const asOther = createSubscriptionClient(subgraph.wsUrl, { token: other.token });
    const anonymous = createSubscriptionClient(subgraph.wsUrl);

    const foreign = await asOther.subscribe(OrderStatusDocument, { id: order.id }).next();
    const unauthenticated = await anonymous.subscribe(OrderStatusDocument, { id: order.id }).next();

    expect(foreign.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    expect(unauthenticated.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
    await Promise.all([asOther.dispose(), anonymous.dispose()]);
  });

  it('takes the token from each operation, as the router multiplexing clients sends it', async () => {
    const owner = await subgraph.customer();
    const order = await placeOrderFor(subgraph, owner, 1);
    const client = createSubscriptionClient(subgraph.wsUrl, {
      token: owner.token,
      tokenPerOperation: true,
    });

    const first = await client.subscribe(OrderStatusDocument, { id: order.id }).next();

    expect(first.data?.orderStatusChanged.status).toBe('PENDING');
    await client.dispose();
  });

  it('frees its listener when the client goes away', async () => {
    const owner = await subgraph.customer();
    const order = await placeOrderFor(subgraph, owner, 1);
    const before = subgraph.orderChanges.size;
    const client = createSubscriptionClient(subgraph.wsUrl, { token: owner.token });
    await client.subscribe(OrderStatusDocument, { id: order.id }).next();
    expect(subgraph.orderChanges.size).toBe(before + 1);

    await client.dispose();

    expect(await until(() => subgraph.orderChanges.size === before)).toBe(true);
  });

  it('ends with UNAUTHENTICATED when its token expires', async () => {
    const owner = await subgraph.customer();
    const order = await placeOrderFor(subgraph, owner, 1);
    const shortLived = await signTestToken(subgraph.keys.privateKeyPem, {
      sub: owner.id,
      expiresIn: Math.floor(Date.now() / 1000) + 2,
    });
    const client = createSubscriptionClient(subgraph.wsUrl, {
      token: shortLived,
      tokenPerOperation: true,
    });
    const events = client.subscribe(OrderStatusDocument, { id: order.id });
    await events.next();

    const ending = await events.next(5000).catch((error: unknown) => error);

    expect(ending).toMatchObject([
      { message: 'Access token expired', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    await client.dispose();
  });
});

describe('Subscription.myOrderUpdates', () => {
  it("streams every change of the caller's orders and nobody else's", async () => {
    const [owner, other, admin] = await Promise.all([
      subgraph.customer(),
      subgraph.customer(),
      subgraph.admin(),
    ]);
    const [mine, theirs] = await Promise.all([
      placeOrderFor(subgraph, owner, 1),
      placeOrderFor(subgraph, other, 1),
    ]);
    await moveOrder(subgraph, mine.id, ['CONFIRMED']);
    await moveOrder(subgraph, theirs.id, ['CONFIRMED']);
    const client = createSubscriptionClient(subgraph.wsUrl, { token: owner.token });
    const events = client.subscribe(MyOrdersDocument);
    await until(() => subgraph.orderChanges.size > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));

    await subgraph.request(
      UpdateStatusDocument,
      { id: theirs.id, status: 'PAID' },
      { token: admin.token },
    );
    await subgraph.request(
      UpdateStatusDocument,
      { id: mine.id, status: 'PAID' },
      { token: admin.token },
    );

    const seen = [];
    do seen.push((await events.next()).data?.myOrderUpdates);
    while (seen.at(-1)?.status !== 'PAID');
    // Earlier changes (CONFIRMED) may arrive first; none of them is someone else's.
    expect(seen.every((order) => order?.id === mine.id)).toBe(true);
    await client.dispose();
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const client = createSubscriptionClient(subgraph.wsUrl);

    const result = await client.subscribe(MyOrdersDocument).next();

    expect(result.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
    await client.dispose();
  });
});

describe('Subscription.orderStatusChanged, what a change costs', () => {
  /** The SQL one status change costs this process, mutation included, with `followers` on it. */
  async function statementsPerChange(followers: number) {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner, 2);
    await moveOrder(subgraph, order.id, ['CONFIRMED']);
    // Earlier tests' listeners are gone, so no change but this order's is loaded meanwhile.
    expect(await until(() => subgraph.orderChanges.size === 0)).toBe(true);
    const clients = Array.from({ length: Math.ceil(followers / 25) }, () =>
      createSubscriptionClient(subgraph.wsUrl, { token: owner.token }),
    );
    const subscriptions: TestSubscription<unknown>[] = Array.from({ length: followers }, (_, i) =>
      clients[i % clients.length]!.subscribe(OrderStatusDocument, { id: order.id }),
    );
    await Promise.all(subscriptions.map((subscription) => subscription.next()));
    // Once every subscriber has PAID, the follower is past every earlier change of the order
    // (CONFIRMED may reach it late, after the subscriptions began), and counting can start.
    const move = (status: 'PAID' | 'SHIPPED') =>
      subgraph.request(UpdateStatusDocument, { id: order.id, status }, { token: admin.token });
    await move('PAID');
    await Promise.all(subscriptions.map((subscription) => subscription.next()));
    subgraph.sql.reset();

    await move('SHIPPED');
    const events = await Promise.all(subscriptions.map((subscription) => subscription.next()));

    expect(events.map((event) => event.data)).toEqual(
      Array(followers).fill({
        orderStatusChanged: {
          id: order.id,
          status: 'SHIPPED',
          total: null,
          history: ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED'].map((status) => ({ status })),
        },
      }),
    );
    const statements = subgraph.sql.count();
    await Promise.all(clients.map((client) => client.dispose()));
    return statements;
  }

  it('costs the database the same for 30 subscribers as for one', async () => {
    const forOne = await statementsPerChange(1);
    const forThirty = await statementsPerChange(30);

    expect(forThirty).toBe(forOne);
  });
});
