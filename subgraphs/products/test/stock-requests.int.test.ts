import { randomUUID } from 'node:crypto';
import {
  eventFields,
  newEvent,
  parseEvent,
  streams,
  type EventPayload,
  type IncomingEvent,
} from '@cartograph/shared';
import { testRedisUrl } from '@cartograph/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createProduct, startProductsSubgraph, type ProductsSubgraph } from './harness.js';

const AdjustStockDocument = graphql(`
  mutation AdjustStockForEvents($productId: ID!, $delta: Int!) {
    adjustStock(productId: $productId, delta: $delta) {
      stock
    }
  }
`);

let subgraph: ProductsSubgraph;
let redis: Redis;
const prefix = inject('redisPrefix');
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
  redis = new Redis(testRedisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await subgraph.stop();
});

async function publish(stream: string, fields: string[]) {
  await redis.xadd(`${prefix}${stream}`, '*', ...fields);
}

const reserve = (orderId: string, lines: EventPayload<'ReserveStock'>['lines'], id?: string) =>
  newEvent('ReserveStock', orderId, { orderId, lines }, id);

/** Every event on a stream about `key`, polling until `until` is satisfied (or 10 s pass). */
async function eventsAbout(
  stream: string,
  key: string,
  until: (events: IncomingEvent[]) => boolean,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entries = await redis.xrange(`${prefix}${stream}`, '-', '+');
    const events = entries
      .map(([, fields]) => parseEvent(fields))
      .filter((event): event is IncomingEvent => !('error' in event) && event.key === key);
    if (until(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const stockOf = async (id: string) =>
  (await subgraph.db.product.findUniqueOrThrow({ where: { id } })).stock;

describe('ReserveStock', () => {
  it('reserves every line at the current price, answers StockReserved and announces the new stock', async () => {
    const [a, b] = [
      await createProduct(subgraph, { stock: 5, priceCents: 1250 }),
      await createProduct(subgraph, { stock: 3, priceCents: 99 }),
    ];
    const orderId = randomUUID();

    await publish(
      streams.stockRequests,
      eventFields(
        reserve(orderId, [
          { productId: a.id, quantity: 2 },
          { productId: b.id, quantity: 3 },
        ]),
      ),
    );

    const [reply] = await eventsAbout(streams.stockReplies, orderId, (events) => events.length > 0);
    expect(reply).toMatchObject({
      type: 'StockReserved',
      payload: {
        orderId,
        lines: [
          { productId: a.id, quantity: 2, unitPriceCents: 1250, currency: 'USD' },
          { productId: b.id, quantity: 3, unitPriceCents: 99, currency: 'USD' },
        ],
      },
    });
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([3, 0]);
    const changes = await eventsAbout(streams.stockChanges, b.id, (events) => events.length >= 2);
    expect(changes.map((event) => event.payload)).toMatchObject([{ stock: 3 }, { stock: 0 }]);
  });

  it('refuses the whole order, naming each line it cannot serve, and takes nothing', async () => {
    const fine = await createProduct(subgraph, { stock: 10 });
    const short = await createProduct(subgraph, { stock: 1 });
    const orderId = randomUUID();
    const unknown = randomUUID();

    await publish(
      streams.stockRequests,
      eventFields(
        reserve(orderId, [
          { productId: fine.id, quantity: 1 },
          { productId: short.id, quantity: 2 },
          { productId: unknown, quantity: 1 },
        ]),
      ),
    );

    const [reply] = await eventsAbout(streams.stockReplies, orderId, (events) => events.length > 0);
    expect(reply).toMatchObject({
      type: 'StockRejected',
      payload: {
        reasons: [
          { productId: short.id, reason: 'not enough stock: 2 requested, 1 available' },
          { productId: unknown, reason: 'unknown product' },
        ],
      },
    });
    expect([await stockOf(fine.id), await stockOf(short.id)]).toEqual([10, 1]);
  });

  it('handles the same request twice as once, answering both times with the same reply', async () => {
    const product = await createProduct(subgraph, { stock: 4 });
    const orderId = randomUUID();
    const request = reserve(orderId, [{ productId: product.id, quantity: 3 }]);

    await publish(streams.stockRequests, eventFields(request));
    await eventsAbout(streams.stockReplies, orderId, (events) => events.length === 1);
    await publish(streams.stockRequests, eventFields(request));
    const replies = await eventsAbout(
      streams.stockReplies,
      orderId,
      (events) => events.length === 2,
    );

    expect(replies).toHaveLength(2);
    expect(replies[1]).toEqual(replies[0]);
    expect(await stockOf(product.id)).toBe(1);
    expect(await subgraph.db.stockMovement.count({ where: { productId: product.id } })).toBe(2);
  });

  it('never oversells: 60 concurrent one-unit orders against 20 units', async () => {
    const product = await createProduct(subgraph, { stock: 20 });
    const orderIds = Array.from({ length: 60 }, () => randomUUID());

    await Promise.all(
      orderIds.map((orderId) =>
        publish(
          streams.stockRequests,
          eventFields(reserve(orderId, [{ productId: product.id, quantity: 1 }])),
        ),
      ),
    );

    const statuses = await waitForReservations(orderIds);
    expect(statuses.filter((status) => status === 'RESERVED')).toHaveLength(20);
    expect(statuses.filter((status) => status === 'REJECTED')).toHaveLength(40);
    expect(await stockOf(product.id)).toBe(0);
  });
});

async function waitForReservations(orderIds: string[]) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await subgraph.db.reservation.findMany({ where: { orderId: { in: orderIds } } });
    if (rows.length === orderIds.length || Date.now() > deadline)
      return rows.map((row) => row.status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ReleaseStock', () => {
  it('gives the stock back exactly once, however often it is asked', async () => {
    const product = await createProduct(subgraph, { stock: 5 });
    const orderId = randomUUID();
    await publish(
      streams.stockRequests,
      eventFields(reserve(orderId, [{ productId: product.id, quantity: 4 }])),
    );
    await eventsAbout(streams.stockReplies, orderId, (events) => events.length === 1);

    for (let i = 0; i < 3; i++) {
      await publish(
        streams.stockRequests,
        eventFields(newEvent('ReleaseStock', orderId, { orderId })),
      );
    }

    const replies = await eventsAbout(
      streams.stockReplies,
      orderId,
      (events) => events.length === 4,
    );
    expect(replies.map((event) => event.type)).toEqual([
      'StockReserved',
      'StockReleased',
      'StockReleased',
      'StockReleased',
    ]);
    expect(await stockOf(product.id)).toBe(5);
    expect(await subgraph.db.reservation.findUnique({ where: { orderId } })).toMatchObject({
      status: 'RELEASED',
    });
  });
});

describe('a release that comes first', () => {
  const release = (orderId: string) => newEvent('ReleaseStock', orderId, { orderId });

  it('refuses the reservation that follows it, takes nothing, and answers repeats alike', async () => {
    const [a, b] = [
      await createProduct(subgraph, { stock: 5 }),
      await createProduct(subgraph, { stock: 5 }),
    ];
    const orderId = randomUUID();
    const late = reserve(orderId, [
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 1 },
    ]);

    await publish(streams.stockRequests, eventFields(release(orderId)));
    await eventsAbout(streams.stockReplies, orderId, (events) => events.length === 1);
    await publish(streams.stockRequests, eventFields(late));
    await eventsAbout(streams.stockReplies, orderId, (events) => events.length === 2);
    await publish(streams.stockRequests, eventFields(late));
    const replies = await eventsAbout(
      streams.stockReplies,
      orderId,
      (events) => events.length === 3,
    );

    expect(replies).toMatchObject([
      { type: 'StockReleased' },
      {
        type: 'StockRejected',
        payload: {
          orderId,
          reasons: [
            { productId: a.id, reason: 'order cancelled' },
            { productId: b.id, reason: 'order cancelled' },
          ],
        },
      },
      { type: 'StockRejected' },
    ]);
    expect(replies[2]).toEqual(replies[1]);
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([5, 5]);
    const movements = await subgraph.db.stockMovement.count({
      where: { productId: { in: [a.id, b.id] } },
    });
    expect(movements).toBe(2);
  });

  it('never leaves units reserved when a release and its reservation are handled at once', async () => {
    const product = await createProduct(subgraph, { stock: 100 });
    const orderIds = Array.from({ length: 20 }, () => randomUUID());

    // Each pair in one MULTI lands in one read, so the consumer handles both concurrently;
    // half of the pairs have the release first.
    await Promise.all(
      orderIds.map((orderId, i) => {
        const pair = [reserve(orderId, [{ productId: product.id, quantity: 3 }]), release(orderId)];
        if (i % 2 === 1) pair.reverse();
        const multi = redis.multi();
        for (const event of pair) {
          multi.xadd(`${prefix}${streams.stockRequests}`, '*', ...eventFields(event));
        }
        return multi.exec();
      }),
    );

    const outcomes = [];
    for (const orderId of orderIds) {
      const replies = await eventsAbout(
        streams.stockReplies,
        orderId,
        (events) => events.length === 2,
      );
      const row = await subgraph.db.reservation.findUniqueOrThrow({ where: { orderId } });
      const reserved = replies.find((event) => event.type !== 'StockReleased')!.type;
      outcomes.push({
        replies: replies.map((event) => event.type).sort(),
        status: row.status,
        heldLines: reserved === 'StockReserved' ? (row.lines as unknown[]).length : 0,
      });
    }
    expect(await stockOf(product.id)).toBe(100);
    for (const outcome of outcomes) {
      expect([
        { replies: ['StockReleased', 'StockReserved'], status: 'RELEASED', heldLines: 1 },
        { replies: ['StockRejected', 'StockReleased'], status: 'RELEASED', heldLines: 0 },
      ]).toContainEqual(outcome);
    }
  });
});

describe('bad events', () => {
  it('parks malformed and unknown events in the dead-letter stream and goes on with the next', async () => {
    const product = await createProduct(subgraph, { stock: 2 });
    const orderId = randomUUID();
    const marker = randomUUID();

    await publish(streams.stockRequests, [
      'id',
      marker,
      'type',
      'ReserveStock',
      'key',
      'x',
      'payload',
      '{not json',
    ]);
    await publish(streams.stockRequests, [
      'id',
      randomUUID(),
      'type',
      'Teleport',
      'key',
      marker,
      'payload',
      '{}',
    ]);
    await publish(
      streams.stockRequests,
      eventFields(newEvent('StockReleased', marker, { orderId: marker })),
    );
    await publish(
      streams.stockRequests,
      eventFields(reserve(orderId, [{ productId: product.id, quantity: 1 }])),
    );

    const [reply] = await eventsAbout(streams.stockReplies, orderId, (events) => events.length > 0);
    expect(reply?.type).toBe('StockReserved');
    const parked = await redis.xrange(`${prefix}${streams.deadLetter}`, '-', '+');
    const reasons = parked
      .map(([, fields]) => fields)
      .filter((fields) => fields.includes(marker))
      .map((fields) => fields[fields.indexOf('reason') + 1]);
    // Consumers handle events concurrently, so they are parked in no particular order.
    expect(reasons.sort()).toEqual([
      'payload is not JSON',
      'products does not handle StockReleased',
      'unknown event type Teleport',
    ]);
  });
});

describe('stock changes', () => {
  it('announces every adjustStock on stock:changes with the new absolute stock', async () => {
    const product = await createProduct(subgraph, { stock: 7 });

    await subgraph.request(
      AdjustStockDocument,
      { productId: product.id, delta: -2 },
      { token: subgraph.adminToken },
    );
    await subgraph.request(
      AdjustStockDocument,
      { productId: product.id, delta: 10 },
      { token: subgraph.adminToken },
    );

    const changes = await eventsAbout(
      streams.stockChanges,
      product.id,
      (events) => events.length >= 3,
    );
    expect(changes.map((event) => event.payload)).toMatchObject([
      { stock: 7 },
      { stock: 5 },
      { stock: 15 },
    ]);
  });
});
