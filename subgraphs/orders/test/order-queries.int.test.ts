import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { moveOrder, placeOrderFor, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

const OrderDocument = graphql(`
  query OrderById($id: ID!) {
    order(id: $id) {
      id
      status
      user {
        id
      }
    }
  }
`);

const OrdersDocument = graphql(`
  query OrdersPage($first: Int, $after: String, $status: OrderStatus, $userId: ID) {
    orders(first: $first, after: $after, status: $status, userId: $userId) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
        }
      }
    }
  }
`);

let subgraph: OrdersSubgraph;
beforeAll(async () => {
  subgraph = await startOrdersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Query.order', () => {
  it('returns an order to its owner and to admins', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const order = await placeOrderFor(subgraph, owner);

    const asOwner = await subgraph.request(OrderDocument, { id: order.id }, { token: owner.token });
    const asAdmin = await subgraph.request(OrderDocument, { id: order.id }, { token: admin.token });

    const expected = { id: order.id, status: 'PENDING', user: { id: owner.id } };
    expect(asOwner.data?.order).toEqual(expected);
    expect(asAdmin.data?.order).toEqual(expected);
  });

  it("answers someone else's order exactly like a missing one: NOT_FOUND", async () => {
    const [owner, other] = await Promise.all([subgraph.customer(), subgraph.customer()]);
    const order = await placeOrderFor(subgraph, owner);

    const foreign = await subgraph.request(OrderDocument, { id: order.id }, { token: other.token });
    const missing = await subgraph.request(
      OrderDocument,
      { id: randomUUID() },
      { token: other.token },
    );

    expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
    expect(foreign.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const result = await subgraph.request(OrderDocument, { id: randomUUID() });

    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('Query.orders', () => {
  it("walks a user's orders newest first, exactly once, with the right totalCount", async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) placed.push((await placeOrderFor(subgraph, owner, 1)).id);

    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const { data } = await subgraph.request(
        OrdersDocument,
        { first: 2, after, userId: owner.id },
        { token: admin.token },
      );
      expect(data?.orders.totalCount).toBe(5);
      seen.push(...data!.orders.edges.map((edge) => edge.node.id));
      after = data!.orders.pageInfo.hasNextPage ? data!.orders.pageInfo.endCursor : null;
    } while (after);

    expect(seen).toEqual([...placed].reverse());
  });

  it('filters by status', async () => {
    const [owner, admin] = await Promise.all([subgraph.customer(), subgraph.admin()]);
    const [kept, other] = [
      await placeOrderFor(subgraph, owner),
      await placeOrderFor(subgraph, owner),
    ];
    await moveOrder(subgraph, kept.id, ['CONFIRMED', 'PAID']);

    const { data } = await subgraph.request(
      OrdersDocument,
      { userId: owner.id, status: 'PAID' },
      { token: admin.token },
    );

    expect(data?.orders).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: kept.id, status: 'PAID' } }],
    });
    expect(data?.orders.edges.map((edge) => edge.node.id)).not.toContain(other.id);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const customer = await subgraph.customer();

    expect(
      errorCodes(await subgraph.request(OrdersDocument, {}, { token: customer.token })),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.request(OrdersDocument, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['first over 100', { first: 101 }],
    ['a foreign cursor', { after: Buffer.from('[1,2,3]').toString('base64url') }],
    ['an unknown status', { status: 'LOST' as never }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
    const admin = await subgraph.admin();

    const result = await subgraph.request(OrdersDocument, variables, { token: admin.token });

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});
