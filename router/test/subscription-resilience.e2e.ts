import { randomUUID } from 'node:crypto';
import { createSubscriptionClient } from '@cartograph/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from './__generated__/gql.js';
import { startSupergraphSystem, type SupergraphSystem } from './supergraph-system.js';

/** Each test starts processes of its own, which under a full parallel run takes a while. */
const systemTestTimeoutMs = 90_000;

const WatchOrderDocument = graphql(`
  subscription ResilienceWatch($id: ID!) {
    orderStatusChanged(orderId: $id) {
      id
      status
      items {
        product {
          name
        }
      }
    }
  }
`);

const MyUpdatesDocument = graphql(`
  subscription ResilienceMine {
    myOrderUpdates {
      id
      status
    }
  }
`);

const PlaceDocument = graphql(`
  mutation ResiliencePlace($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`);

const MoveDocument = graphql(`
  mutation ResilienceMove($id: ID!, $status: OrderStatus!) {
    updateOrderStatus(id: $id, status: $status) {
      status
    }
  }
`);

let system: SupergraphSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

/** Places an order of one unit of a fresh product through router `via`, and waits for CONFIRMED. */
async function confirmedOrder(s: SupergraphSystem, via: number, customer: string) {
  const product = await s.createProduct();
  const token = await s.token('CUSTOMER', customer);
  const { data } = await s.request(via)(
    PlaceDocument,
    { input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: randomUUID() } },
    { token },
  );
  const id = data!.placeOrder.id;
  const client = createSubscriptionClient(s.wsUrl(via), { token });
  const events = client.subscribe(WatchOrderDocument, { id });
  while ((await events.next()).data?.orderStatusChanged.status !== 'CONFIRMED');
  await client.dispose();
  return { id, token };
}

const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return check();
};

describe('scale-out', { timeout: systemTestTimeoutMs }, () => {
  it('delivers changes made through either router and either orders replica to clients on both', async () => {
    system = await startSupergraphSystem({ routers: 2, orders: 2 });
    const s = system;
    const customer = randomUUID();
    const admin = await s.token('ADMIN');
    const { id, token } = await confirmedOrder(s, 0, customer);
    const onFirst = createSubscriptionClient(s.wsUrl(0), { token });
    const onSecond = createSubscriptionClient(s.wsUrl(1), { token });
    const watched = onFirst.subscribe(WatchOrderDocument, { id });
    const mine = onSecond.subscribe(MyUpdatesDocument);
    expect((await watched.next()).data?.orderStatusChanged.status).toBe('CONFIRMED');
    // `mine` is live once the orders replica behind the second router holds it, its only one.
    expect(
      await eventually(
        async () => (await s.gauge(s.orders[1]!, 'cartograph_active_subscriptions')) === 1,
      ),
    ).toBe(true);

    await s.request(1)(MoveDocument, { id, status: 'PAID' }, { token: admin });
    await s.request(0)(MoveDocument, { id, status: 'SHIPPED' }, { token: admin });

    expect((await watched.next()).data?.orderStatusChanged).toMatchObject({
      status: 'PAID',
      items: [{ product: { name: 'Subscribed product' } }],
    });
    expect((await watched.next()).data?.orderStatusChanged.status).toBe('SHIPPED');
    expect((await mine.next()).data?.myOrderUpdates).toEqual({ id, status: 'PAID' });
    expect((await mine.next()).data?.myOrderUpdates).toEqual({ id, status: 'SHIPPED' });
    await Promise.all([onFirst.dispose(), onSecond.dispose()]);
  });
});

describe('cleanup and failures', { timeout: systemTestTimeoutMs }, () => {
  it('frees everything upstream when clients disconnect: subscriptions and sockets back to zero', async () => {
    system = await startSupergraphSystem({ routers: 1, orders: 1 });
    const s = system;
    const { id, token } = await confirmedOrder(s, 0, randomUUID());
    const clients = Array.from({ length: 5 }, () =>
      createSubscriptionClient(s.wsUrl(0), { token }),
    );
    await Promise.all(clients.map((client) => client.subscribe(WatchOrderDocument, { id }).next()));
    expect(await s.gauge(s.routers[0]!, 'cartograph_upstream_subscriptions')).toBe(5);
    expect(await s.gauge(s.orders[0]!, 'cartograph_active_subscriptions')).toBe(5);

    await Promise.all(clients.map((client) => client.dispose()));

    const settled = async () =>
      (await s.gauge(s.routers[0]!, 'cartograph_active_subscriptions')) === 0 &&
      (await s.gauge(s.routers[0]!, 'cartograph_upstream_subscriptions')) === 0 &&
      (await s.gauge(s.routers[0]!, 'cartograph_upstream_connections')) === 0 &&
      (await s.gauge(s.orders[0]!, 'cartograph_active_subscriptions')) === 0;
    expect(await eventually(settled)).toBe(true);
  });

  it('resumes subscriptions when a subgraph restarts: current state again, then new changes', async () => {
    system = await startSupergraphSystem({ routers: 1, orders: 1 });
    const s = system;
    const admin = await s.token('ADMIN');
    const { id, token } = await confirmedOrder(s, 0, randomUUID());
    const client = createSubscriptionClient(s.wsUrl(0), { token });
    const events = client.subscribe(WatchOrderDocument, { id });
    expect((await events.next()).data?.orderStatusChanged.status).toBe('CONFIRMED');

    await s.restartOrders(0);
    const resumed = await events.next(15_000);
    await s.request(0)(MoveDocument, { id, status: 'PAID' }, { token: admin });

    expect(resumed.data?.orderStatusChanged.status).toBe('CONFIRMED');
    expect((await events.next()).data?.orderStatusChanged.status).toBe('PAID');
    await client.dispose();
  });

  it('reports not ready, naming what is away: a subgraph, then Redis', async () => {
    system = await startSupergraphSystem({ routers: 1, orders: 1, privateRedis: true });
    const s = system;
    const failing = async () => (await s.readiness(0)).failing.sort();
    // This system runs no users subgraph (see startSupergraphSystem), so the router never counts
    // itself ready here, whatever listens on the users subgraph's default port.
    expect(await s.readiness(0)).toEqual({ status: 503, failing: ['users'] });

    await s.orders[0]!.stop();
    s.orders[0] = undefined;
    expect(await failing()).toEqual(['orders', 'users']);

    await s.redisServer!.stop();
    // Products checks Redis too, so it stops being ready as well.
    expect(
      await eventually(async () => (await failing()).join() === 'orders,products,redis,users'),
    ).toBe(true);
  });

  it('ends subscriptions with SERVICE_UNAVAILABLE when a subgraph stays away', async () => {
    system = await startSupergraphSystem({
      routers: 1,
      orders: 1,
      routerEnv: { SUBGRAPH_WS_RETRY_ATTEMPTS: '2' },
    });
    const s = system;
    const { id, token } = await confirmedOrder(s, 0, randomUUID());
    const client = createSubscriptionClient(s.wsUrl(0), { token });
    const events = client.subscribe(WatchOrderDocument, { id });
    await events.next();

    await s.orders[0]!.kill();
    s.orders[0] = undefined;
    const outcome = await events.next(15_000).catch((error: unknown) => error);

    expect(outcome).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
    expect(
      await eventually(
        async () => (await s.gauge(s.routers[0]!, 'cartograph_upstream_subscriptions')) === 0,
      ),
    ).toBe(true);
    await client.dispose();
  });

  it('closes client connections with 1001 (going away) when the router shuts down', async () => {
    system = await startSupergraphSystem({ routers: 1, orders: 1 });
    const s = system;
    const { id, token } = await confirmedOrder(s, 0, randomUUID());
    const client = createSubscriptionClient(s.wsUrl(0), { token });
    const events = client.subscribe(WatchOrderDocument, { id });
    await events.next();

    const [outcome] = await Promise.all([
      events.next(10_000).catch((error: unknown) => error),
      s.routers[0]!.stop(),
    ]);
    s.routers[0] = undefined;

    expect(outcome).toMatchObject({ code: 1001 });
    await client.dispose();
  });
});

const AdjustDocument = graphql(`
  mutation ResilienceAdjust($id: ID!) {
    adjustStock(productId: $id, delta: 1) {
      stock
    }
  }
`);

describe('a slow client', { timeout: systemTestTimeoutMs }, () => {
  it('has its subscription ended instead of the router buffering for it without bound', async () => {
    system = await startSupergraphSystem({
      routers: 1,
      orders: 1,
      routerEnv: { SUBSCRIPTION_QUEUE_LIMIT: '5' },
    });
    const s = system;
    const admin = await s.token('ADMIN');
    const product = await s.createProduct(1, 'x'.repeat(5000));
    const big = Array.from({ length: 10 }, (_, i) => `p${i}: product { description }`).join(' ');
    const socket = new WebSocket(s.wsUrl(0), 'graphql-transport-ws');
    const messages: { type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await eventually(async () => messages.some((message) => message.type === 'connection_ack'));
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: {
          query: `subscription { stockChanged(productIds: ["${product.id}"]) { stock ${big} } }`,
        },
      }),
    );
    await eventually(
      async () => (await s.gauge(s.routers[0]!, 'cartograph_upstream_subscriptions')) === 1,
    );
    // The client stops reading: what the router sends piles up in socket buffers, then in its queue.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();

    for (let i = 0; i < 150; i++)
      await s.request(0)(AdjustDocument, { id: product.id }, { token: admin });

    expect(
      await eventually(
        async () => (await s.gauge(s.routers[0]!, 'cartograph_upstream_subscriptions')) === 0,
        20_000,
      ),
    ).toBe(true);
    expect(await s.gauge(s.routers[0]!, 'process_resident_memory_bytes')).toBeLessThan(
      512 * 1024 * 1024,
    );
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(
      await eventually(async () => messages.some((message) => message.type === 'error'), 20_000),
    ).toBe(true);
    expect(messages.find((message) => message.type === 'error')?.payload).toMatchObject([
      { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } },
    ]);
    socket.close();
  });
});
