import { randomUUID } from 'node:crypto';
import {
  eventFields,
  newEvent,
  parseEvent,
  streams,
  type IncomingEvent,
  type OutgoingEvent,
} from '@cartograph/shared';
import { testRedisUrl } from '@cartograph/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { PlaceOrderDocument, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

const OrderDocument = graphql(`
  query OrderAfterReply($id: ID!) {
    order(id: $id) {
      status
      rejectionReason
      total {
        amountCents
        currency
      }
      items {
        product {
          id
        }
        quantity
        unitPrice {
          amountCents
        }
      }
      history {
        status
        reason
      }
    }
  }
`);

const CancelDocument = graphql(`
  mutation CancelForRelease($id: ID!) {
    cancelOrder(id: $id) {
      status
    }
  }
`);

let subgraph: OrdersSubgraph;
let redis: Redis;
const prefix = inject('redisPrefix');
beforeAll(async () => {
  subgraph = await startOrdersSubgraph({ redeliveryAfterMs: 1500 });
  redis = new Redis(testRedisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await subgraph.stop();
});

async function eventsAbout(
  stream: string,
  key: string,
  until: (events: IncomingEvent[]) => boolean,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = (await redis.xrange(`${prefix}${stream}`, '-', '+'))
      .map(([, fields]) => parseEvent(fields))
      .filter((event): event is IncomingEvent => !('error' in event) && event.key === key);
    if (until(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const reply = (event: OutgoingEvent) =>
  redis.xadd(`${prefix}${streams.stockReplies}`, '*', ...eventFields(event));

async function place(lines: { productId: string; quantity: number }[]) {
  const customer = await subgraph.customer();
  const { data, errors } = await subgraph.request(
    PlaceOrderDocument,
    { input: { items: lines, idempotencyKey: randomUUID() } },
    { token: customer.token },
  );
  if (!data) throw new Error(JSON.stringify(errors));
  return { customer, order: data.placeOrder };
}

const orderAs = (token: string, id: string) =>
  waitFor(
    async () => (await subgraph.request(OrderDocument, { id }, { token })).data!.order!,
    () => true,
  );

describe('placing an order', () => {
  it('publishes one ReserveStock request with its lines, also when identical requests race', async () => {
    const customer = await subgraph.customer();
    const input = {
      items: [{ productId: randomUUID(), quantity: 2 }],
      idempotencyKey: randomUUID(),
    };

    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        subgraph.request(PlaceOrderDocument, { input }, { token: customer.token }),
      ),
    );

    const orderId = results[0]!.data!.placeOrder.id;
    const requests = await eventsAbout(
      streams.stockRequests,
      orderId,
      (events) => events.length > 0,
    );
    expect(requests).toMatchObject([
      { type: 'ReserveStock', payload: { orderId, lines: input.items } },
    ]);
    expect(
      await subgraph.db.outboxEvent.count({ where: { key: orderId, type: 'ReserveStock' } }),
    ).toBe(1);
  });
});

describe('answers from the products subgraph', () => {
  it('confirms a PENDING order with its unit prices and total on StockReserved', async () => {
    const lines = [
      { productId: randomUUID(), quantity: 2 },
      { productId: randomUUID(), quantity: 1 },
    ];
    const { customer, order } = await place(lines);
    const prices = [1250, 99];

    await reply(
      newEvent('StockReserved', order.id, {
        orderId: order.id,
        lines: lines.map((line, i) => ({ ...line, unitPriceCents: prices[i]!, currency: 'USD' })),
      }),
    );

    const confirmed = await waitFor(
      () => orderAs(customer.token, order.id),
      (o) => o.status === 'CONFIRMED',
    );
    expect(confirmed).toEqual({
      status: 'CONFIRMED',
      rejectionReason: null,
      total: { amountCents: 2599, currency: 'USD' },
      items: lines.map((line, i) => ({
        product: { id: line.productId },
        quantity: line.quantity,
        unitPrice: { amountCents: prices[i] },
      })),
      history: [
        { status: 'PENDING', reason: null },
        { status: 'CONFIRMED', reason: null },
      ],
    });
  });

  it('rejects a PENDING order on StockRejected, naming each line', async () => {
    const lines = [
      { productId: randomUUID(), quantity: 9 },
      { productId: randomUUID(), quantity: 1 },
    ];
    const { customer, order } = await place(lines);

    await reply(
      newEvent('StockRejected', order.id, {
        orderId: order.id,
        reasons: [
          { productId: lines[0]!.productId, reason: 'not enough stock: 9 requested, 2 available' },
          { productId: lines[1]!.productId, reason: 'unknown product' },
        ],
      }),
    );

    const rejected = await waitFor(
      () => orderAs(customer.token, order.id),
      (o) => o.status === 'REJECTED',
    );
    const reason = `${lines[0]!.productId}: not enough stock: 9 requested, 2 available; ${lines[1]!.productId}: unknown product`;
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: reason, total: null });
    expect(rejected.history.at(-1)).toEqual({ status: 'REJECTED', reason });
  });

  it('applies the same answer once, however often it arrives', async () => {
    const lines = [{ productId: randomUUID(), quantity: 1 }];
    const { customer, order } = await place(lines);
    const answer = newEvent('StockReserved', order.id, {
      orderId: order.id,
      lines: [{ ...lines[0]!, unitPriceCents: 500, currency: 'USD' }],
    });

    await reply(answer);
    await reply(answer);
    await reply(answer);

    await waitFor(
      () => orderAs(customer.token, order.id),
      (o) => o.status === 'CONFIRMED',
    );
    await waitFor(
      () => redis.xpending(`${prefix}${streams.stockReplies}`, 'orders') as Promise<[number]>,
      ([count]) => count === 0,
    );
    expect(await subgraph.db.orderStatusChange.count({ where: { orderId: order.id } })).toBe(2);
    expect(await subgraph.db.processedEvent.count({ where: { eventId: answer.id } })).toBe(1);
  });
});

describe('giving stock back', () => {
  it('asks for the stock of a cancelled CONFIRMED order back, and records when it is back', async () => {
    const lines = [{ productId: randomUUID(), quantity: 3 }];
    const { customer, order } = await place(lines);
    await reply(
      newEvent('StockReserved', order.id, {
        orderId: order.id,
        lines: [{ ...lines[0]!, unitPriceCents: 100, currency: 'USD' }],
      }),
    );
    await waitFor(
      () => orderAs(customer.token, order.id),
      (o) => o.status === 'CONFIRMED',
    );

    await subgraph.request(CancelDocument, { id: order.id }, { token: customer.token });

    const requests = await eventsAbout(streams.stockRequests, order.id, (events) =>
      events.some((e) => e.type === 'ReleaseStock'),
    );
    expect(requests.filter((event) => event.type === 'ReleaseStock')).toHaveLength(1);
    await reply(newEvent('StockReleased', order.id, { orderId: order.id }));
    const stored = await waitFor(
      () => subgraph.db.order.findUniqueOrThrow({ where: { id: order.id } }),
      (o) => o.stockReleasedAt !== null,
    );
    expect(stored.stockReleasedAt).toBeInstanceOf(Date);
  });

  it('asks for the stock of a cancelled PENDING order back at once, and again until it is back', async () => {
    const { customer, order } = await place([{ productId: randomUUID(), quantity: 1 }]);

    await subgraph.request(CancelDocument, { id: order.id }, { token: customer.token });

    const releases = await eventsAbout(
      streams.stockRequests,
      order.id,
      (events) => events.filter((e) => e.type === 'ReleaseStock').length >= 2,
    ).then((events) => events.filter((e) => e.type === 'ReleaseStock'));
    expect(releases.length).toBeGreaterThanOrEqual(2);
    expect(new Set(releases.map((event) => event.id)).size).toBe(1);
    await reply(newEvent('StockReleased', order.id, { orderId: order.id }));
    const stored = await waitFor(
      () => subgraph.db.order.findUniqueOrThrow({ where: { id: order.id } }),
      (o) => o.stockReleasedAt !== null,
    );
    expect(stored).toMatchObject({ status: 'CANCELLED', stockReleasedAt: expect.any(Date) });
  });

  it('keeps a cancelled order CANCELLED whatever answer comes, asking back stock it is told of', async () => {
    const lines = [{ productId: randomUUID(), quantity: 1 }];
    const { customer, order } = await place(lines);
    await subgraph.request(CancelDocument, { id: order.id }, { token: customer.token });

    await reply(
      newEvent('StockReserved', order.id, {
        orderId: order.id,
        lines: [{ ...lines[0]!, unitPriceCents: 100, currency: 'USD' }],
      }),
    );
    await reply(
      newEvent('StockRejected', order.id, {
        orderId: order.id,
        reasons: [{ productId: lines[0]!.productId, reason: 'order cancelled' }],
      }),
    );
    const released = newEvent('StockReleased', order.id, { orderId: order.id });
    await reply(released);

    await waitFor(
      () => subgraph.db.processedEvent.count({ where: { eventId: released.id } }),
      (count) => count === 1,
    );
    const requests = await eventsAbout(
      streams.stockRequests,
      order.id,
      (events) =>
        new Set(events.filter((e) => e.type === 'ReleaseStock').map((e) => e.id)).size >= 2,
    );
    expect(new Set(requests.filter((e) => e.type === 'ReleaseStock').map((e) => e.id)).size).toBe(
      2,
    );
    expect(await orderAs(customer.token, order.id)).toMatchObject({
      status: 'CANCELLED',
      rejectionReason: null,
      total: null,
      history: [
        { status: 'PENDING', reason: null },
        { status: 'CANCELLED', reason: 'Cancelled by the customer' },
      ],
    });
  });
});

describe('redelivery', () => {
  it('publishes the same request again while the order gets no answer', async () => {
    const { order } = await place([{ productId: randomUUID(), quantity: 1 }]);

    const requests = await eventsAbout(
      streams.stockRequests,
      order.id,
      (events) => events.length >= 2,
    );

    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((event) => event.id)).size).toBe(1);
  });

  it('stops once the order is answered', async () => {
    const lines = [{ productId: randomUUID(), quantity: 1 }];
    const { customer, order } = await place(lines);
    await reply(
      newEvent('StockRejected', order.id, {
        orderId: order.id,
        reasons: [{ productId: lines[0]!.productId, reason: 'unknown product' }],
      }),
    );
    await waitFor(
      () => orderAs(customer.token, order.id),
      (o) => o.status === 'REJECTED',
    );
    const before = (await eventsAbout(streams.stockRequests, order.id, () => true)).length;

    await new Promise((resolve) => setTimeout(resolve, 2500));

    expect(await eventsAbout(streams.stockRequests, order.id, () => true)).toHaveLength(before);
  });
});
