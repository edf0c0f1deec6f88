import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaceOrderDocument, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

let subgraph: OrdersSubgraph;
beforeAll(async () => {
  subgraph = await startOrdersSubgraph();
});
afterAll(() => subgraph.stop());

const lines = (count: number, quantity = 1) =>
  Array.from({ length: count }, () => ({ productId: randomUUID(), quantity }));

describe('Mutation.placeOrder', () => {
  it('stores a PENDING order with its lines in the order given and a first history entry', async () => {
    const customer = await subgraph.customer();
    const items = [
      { productId: randomUUID(), quantity: 3 },
      { productId: randomUUID(), quantity: 1 },
    ];

    const { data } = await subgraph.request(
      PlaceOrderDocument,
      { input: { items, idempotencyKey: randomUUID() } },
      { token: customer.token },
    );

    expect(data?.placeOrder).toMatchObject({
      status: 'PENDING',
      user: { id: customer.id },
      items: items.map((item) => ({
        product: { id: item.productId },
        quantity: item.quantity,
        unitPrice: null,
      })),
      total: null,
      history: [{ status: 'PENDING', reason: null }],
      rejectionReason: null,
    });
  });

  it('returns the existing order when the same idempotency key is reused', async () => {
    const customer = await subgraph.customer();
    const input = { items: lines(2), idempotencyKey: randomUUID() };

    const first = await subgraph.request(PlaceOrderDocument, { input }, { token: customer.token });
    const second = await subgraph.request(PlaceOrderDocument, { input }, { token: customer.token });

    expect(second.data?.placeOrder.id).toBe(first.data?.placeOrder.id);
    expect(await subgraph.db.order.count({ where: { userId: customer.id } })).toBe(1);
  });

  it('places one order when identical requests race', async () => {
    const customer = await subgraph.customer();
    const input = { items: lines(3), idempotencyKey: randomUUID() };

    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        subgraph.request(PlaceOrderDocument, { input }, { token: customer.token }),
      ),
    );

    expect(results.flatMap(errorCodes)).toEqual([]);
    expect(new Set(results.map((result) => result.data?.placeOrder.id)).size).toBe(1);
    expect(await subgraph.db.order.count({ where: { userId: customer.id } })).toBe(1);
    expect(await subgraph.db.orderItem.count({ where: { order: { userId: customer.id } } })).toBe(
      3,
    );
  });

  it('refuses a reused key for different lines with CONFLICT', async () => {
    const customer = await subgraph.customer();
    const idempotencyKey = randomUUID();
    await subgraph.request(
      PlaceOrderDocument,
      { input: { items: lines(1), idempotencyKey } },
      { token: customer.token },
    );

    const result = await subgraph.request(
      PlaceOrderDocument,
      { input: { items: lines(1), idempotencyKey } },
      { token: customer.token },
    );

    expect(errorCodes(result)).toEqual(['CONFLICT']);
  });

  it('keeps keys per user: the same key from two users places two orders', async () => {
    const [a, b] = await Promise.all([subgraph.customer(), subgraph.customer()]);
    const input = { items: lines(1), idempotencyKey: randomUUID() };

    const first = await subgraph.request(PlaceOrderDocument, { input }, { token: a.token });
    const second = await subgraph.request(PlaceOrderDocument, { input }, { token: b.token });

    expect(first.data?.placeOrder.user.id).toBe(a.id);
    expect(second.data?.placeOrder.user.id).toBe(b.id);
  });

  it.each([
    ['no lines', { items: [] }, 'items'],
    ['51 lines', { items: lines(51) }, 'items'],
    ['a quantity of 0', { items: lines(1, 0) }, 'items[0].quantity'],
    ['a negative quantity', { items: lines(1, -5) }, 'items[0].quantity'],
    ['a quantity over 1000', { items: lines(1, 1001) }, 'items[0].quantity'],
    [
      'the same product twice',
      {
        items: [
          { productId: 'p-1', quantity: 1 },
          { productId: 'p-1', quantity: 2 },
        ],
      },
      'items',
    ],
    ['an empty product id', { items: [{ productId: ' ', quantity: 1 }] }, 'items[0].productId'],
    ['a product id with NUL', { items: [{ productId: 'p\u0000', quantity: 1 }] }, 'input'],
    ['an empty idempotency key', { idempotencyKey: '  ' }, 'idempotencyKey'],
    [
      'an idempotency key over 128 characters',
      { idempotencyKey: 'k'.repeat(129) },
      'idempotencyKey',
    ],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_case, override, field) => {
    const customer = await subgraph.customer();
    const input = { items: lines(1), idempotencyKey: randomUUID(), ...override };

    const result = await subgraph.request(PlaceOrderDocument, { input }, { token: customer.token });

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
    expect(await subgraph.db.order.count({ where: { userId: customer.id } })).toBe(0);
  });

  it('refuses a quantity beyond a 32-bit Int before running anything', async () => {
    const customer = await subgraph.customer();

    const result = await subgraph.request(
      PlaceOrderDocument,
      { input: { items: lines(1, 2 ** 40), idempotencyKey: randomUUID() } },
      { token: customer.token },
    );

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const result = await subgraph.request(PlaceOrderDocument, {
      input: { items: lines(1), idempotencyKey: randomUUID() },
    });

    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});
