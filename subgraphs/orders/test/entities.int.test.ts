import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { moveOrder, placeOrderFor, startOrdersSubgraph, type OrdersSubgraph } from './harness.js';

const OrderEntitiesDocument = graphql(`
  query OrderEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order {
        id
        status
        items {
          quantity
        }
      }
    }
  }
`);

const UserOrdersEntitiesDocument = graphql(`
  query UserOrdersEntities($representations: [_Any!]!, $status: OrderStatus) {
    _entities(representations: $representations) {
      ... on User {
        id
        orders(first: 2, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
          }
          edges {
            node {
              id
              user {
                id
              }
            }
          }
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

describe('Order @key(fields: "id")', () => {
  it("resolves the caller's orders in order and null for missing or foreign ones", async () => {
    const [owner, other] = await Promise.all([subgraph.customer(), subgraph.customer()]);
    const [mine, theirs] = await Promise.all([
      placeOrderFor(subgraph, owner, 2),
      placeOrderFor(subgraph, other, 1),
    ]);

    const { data } = await subgraph.request(
      OrderEntitiesDocument,
      {
        representations: [theirs.id, mine.id, randomUUID()].map((id) => ({
          __typename: 'Order',
          id,
        })),
      },
      { token: owner.token },
    );

    expect(data?._entities).toEqual([
      null,
      { id: mine.id, status: 'PENDING', items: [{ quantity: 1 }, { quantity: 2 }] },
      null,
    ]);
  });
});

describe('User @key(fields: "id") with orders', () => {
  it("pages each user's orders, newest first, for an admin", async () => {
    const [a, b, admin] = await Promise.all([
      subgraph.customer(),
      subgraph.customer(),
      subgraph.admin(),
    ]);
    const aOrders = [];
    for (let i = 0; i < 3; i++) aOrders.push(await placeOrderFor(subgraph, a, 1));
    const bOrder = await placeOrderFor(subgraph, b, 1);

    const { data } = await subgraph.request(
      UserOrdersEntitiesDocument,
      { representations: [a, b].map(({ id }) => ({ __typename: 'User', id })) },
      { token: admin.token },
    );

    expect(data?._entities).toEqual([
      {
        id: a.id,
        orders: {
          totalCount: 3,
          pageInfo: { hasNextPage: true },
          edges: [aOrders[2], aOrders[1]].map((order) => ({
            node: { id: order!.id, user: { id: a.id } },
          })),
        },
      },
      {
        id: b.id,
        orders: {
          totalCount: 1,
          pageInfo: { hasNextPage: false },
          edges: [{ node: { id: bOrder.id, user: { id: b.id } } }],
        },
      },
    ]);
  });

  it('filters by status', async () => {
    const owner = await subgraph.customer();
    const [paid] = [
      await placeOrderFor(subgraph, owner, 1),
      await placeOrderFor(subgraph, owner, 1),
    ];
    await moveOrder(subgraph, paid!.id, ['CONFIRMED', 'PAID']);

    const { data } = await subgraph.request(
      UserOrdersEntitiesDocument,
      { representations: [{ __typename: 'User', id: owner.id }], status: 'PAID' },
      { token: owner.token },
    );

    expect(data?._entities).toMatchObject([
      { orders: { totalCount: 1, edges: [{ node: { id: paid!.id } }] } },
    ]);
  });

  it("refuses another customer's orders with FORBIDDEN", async () => {
    const [owner, other] = await Promise.all([subgraph.customer(), subgraph.customer()]);

    const result = await subgraph.request(
      UserOrdersEntitiesDocument,
      { representations: [{ __typename: 'User', id: owner.id }] },
      { token: other.token },
    );

    expect(result.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
  });

  it('costs the same number of SQL statements for 20 users as for 2', async () => {
    const admin = await subgraph.admin();
    const users = await Promise.all(Array.from({ length: 20 }, () => subgraph.customer()));
    for (const user of users) await placeOrderFor(subgraph, user, 2);
    const statementsFor = async (count: number) => {
      subgraph.sql.reset();
      const { errors } = await subgraph.request(
        UserOrdersEntitiesDocument,
        { representations: users.slice(0, count).map(({ id }) => ({ __typename: 'User', id })) },
        { token: admin.token },
      );
      expect(errors).toBeUndefined();
      return subgraph.sql.count();
    };

    const [twenty, two] = [await statementsFor(20), await statementsFor(2)];

    expect(two).toBeGreaterThan(0);
    expect(twenty).toBe(two);
  });
});
