import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { moveOrder, placeOrderFor, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

const CancelOrderDocument = graphql(`
  mutation CancelOrder($id: ID!) {
    cancelOrder(id: $id) {
      id
      status
      history {
        status
        reason
      }
    }
  }
`);

const UpdateOrderStatusDocument = graphql(`
  mutation UpdateOrderStatus($id: ID!, $status: OrderStatus!) {
    updateOrderStatus(id: $id, status: $status) {
      id
      status
      history {
        status
      }
    }
  }
`);

let subgraph: OrdersSubgraph;
beforeAll(async () => {
  subgraph = await startOrdersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Mutation.cancelOrder', () => {
  it.each([
    ['PENDING', []],
    ['CONFIRMED', ['CONFIRMED']],
    ['PAID', ['CONFIRMED', 'PAID']],
  ] as const)('lets the owner cancel a %s order and records why', async (_status, path) => {
    const owner = await subgraph.customer();
    const order = await placeOrderFor(subgraph, owner);
    await moveOrder(subgraph, order.id, [...path]);

    const { data } = await subgraph.request(
      CancelOrderDocument,
      { id: order.id },
      { token: owner.token },
    );

    expect(data?.cancelOrder.status).toBe('CANCELLED');
    expect(data?.cancelOrder.history.at(-1)).toEqual({
      status: 'CANCELLED',
      reason: 'Cancelled by the customer',
    });
    expect(data?.cancelOrder.history).toHaveLength(path.length + 2);
  });

  it.each([
    ['SHIPPED', ['CONFIRMED', 'PAID', 'SHIPPED']],
    ['CANCELLED', ['CANCELLED']],
    ['REJECTED', ['REJECTED']],
  ] as const)('refuses to cancel a %s order with CONFLICT', async (_status, path) => {
    const owner = await subgraph.customer();
    const order = await placeOrderFor(subgraph, owner);
    await moveOrder(subgraph, order.id, [...path]);

    const result = await subgraph.request(
      CancelOrderDocument,
      { id: order.id },
      { token: owner.token },
    );

    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(await subgraph.db.orderStatusChange.count({ where: { orderId: order.id } })).toBe(
      path.length + 1,
    );
  });

  it("lets an admin cancel anyone's order", async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);

    const { data } = await subgraph.request(
      CancelOrderDocument,
      { id: order.id },
      { token: admin.token },
    );

    expect(data?.cancelOrder.history.at(-1)).toEqual({
      status: 'CANCELLED',
      reason: 'Cancelled by an admin',
    });
  });

  it("answers someone else's order with NOT_FOUND and leaves it alone", async () => {
    const [owner, other] = await Promise.all([subgraph.customer(), subgraph.customer()]);
    const order = await placeOrderFor(subgraph, owner);

    const result = await subgraph.request(
      CancelOrderDocument,
      { id: order.id },
      { token: other.token },
    );

    expect(errorCodes(result)).toEqual(['NOT_FOUND']);
    expect(await subgraph.db.order.findUnique({ where: { id: order.id } })).toMatchObject({
      status: 'PENDING',
    });
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    expect(errorCodes(await subgraph.request(CancelOrderDocument, { id: randomUUID() }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('Mutation.updateOrderStatus', () => {
  it('lets an admin move an order along the machine, each step in its history', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);
    await moveOrder(subgraph, order.id, ['CONFIRMED']);

    for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) {
      const { data } = await subgraph.request(
        UpdateOrderStatusDocument,
        { id: order.id, status },
        { token: admin.token },
      );
      expect(data?.updateOrderStatus.status).toBe(status);
    }

    const { data } = await subgraph.request(
      UpdateOrderStatusDocument,
      { id: order.id, status: 'CANCELLED' },
      { token: admin.token },
    );
    expect(data).toBeNull();
    const history = await subgraph.db.orderStatusChange.findMany({
      where: { orderId: order.id },
      orderBy: { id: 'asc' },
    });
    expect(history.map((change) => change.status)).toEqual([
      'PENDING',
      'CONFIRMED',
      'PAID',
      'SHIPPED',
      'DELIVERED',
    ]);
  });

  it.each([
    ['to CONFIRMED, which only the system sets', [], 'CONFIRMED'],
    ['to REJECTED, which only the system sets', [], 'REJECTED'],
    ['from PENDING straight to SHIPPED', [], 'SHIPPED'],
    ['from CONFIRMED back to PENDING', ['CONFIRMED'], 'PENDING'],
    ['from PAID to PAID again', ['CONFIRMED', 'PAID'], 'PAID'],
    ['out of DELIVERED', ['CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED'], 'CANCELLED'],
  ] as const)('refuses a move %s with CONFLICT', async (_case, path, status) => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);
    await moveOrder(subgraph, order.id, [...path]);

    const result = await subgraph.request(
      UpdateOrderStatusDocument,
      { id: order.id, status },
      { token: admin.token },
    );

    expect(errorCodes(result)).toEqual(['CONFLICT']);
  });

  it('lets exactly one of two concurrent moves from the same status win', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);
    await moveOrder(subgraph, order.id, ['CONFIRMED', 'PAID']);

    const results = await Promise.all(
      (['SHIPPED', 'CANCELLED'] as const).map((status) =>
        subgraph.request(
          UpdateOrderStatusDocument,
          { id: order.id, status },
          { token: admin.token },
        ),
      ),
    );

    // Whichever lands first, the other is illegal from the new status (SHIPPED cannot be
    // cancelled, CANCELLED is terminal), so exactly one wins.
    expect(results.filter((result) => result.data?.updateOrderStatus)).toHaveLength(1);
    expect(results.flatMap(errorCodes)).toEqual(['CONFLICT']);
    const stored = await subgraph.db.order.findUniqueOrThrow({ where: { id: order.id } });
    const history = await subgraph.db.orderStatusChange.findMany({
      where: { orderId: order.id },
      orderBy: { id: 'asc' },
    });
    expect(history).toHaveLength(4);
    expect(history.at(-1)?.status).toBe(stored.status);
  });

  it('is FORBIDDEN for a customer, even on their own order, and NOT_FOUND for a missing order', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);

    const asOwner = await subgraph.request(
      UpdateOrderStatusDocument,
      { id: order.id, status: 'CANCELLED' },
      { token: owner.token },
    );
    const missing = await subgraph.request(
      UpdateOrderStatusDocument,
      { id: randomUUID(), status: 'PAID' },
      { token: admin.token },
    );

    expect(errorCodes(asOwner)).toEqual(['FORBIDDEN']);
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
  });
});
