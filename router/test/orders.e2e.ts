import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, registerCustomer, router } from './harness.js';

const PlaceOrderDocument = graphql(`
  mutation E2EPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      status
    }
  }
`);

const OrderAcrossSubgraphsDocument = graphql(`
  query E2EOrderAcrossSubgraphs($id: ID!) {
    order(id: $id) {
      id
      status
      user {
        id
        name
        email
      }
      items {
        quantity
        product {
          id
          name
          price {
            amountCents
            currency
          }
          category {
            name
          }
        }
      }
      history {
        status
      }
    }
  }
`);

const MyOrdersDocument = graphql(`
  query E2EMyOrders {
    me {
      orders(first: 5) {
        totalCount
        edges {
          node {
            id
            items {
              product {
                name
              }
            }
          }
        }
      }
    }
  }
`);

const request = router();
let adminToken: string;
beforeAll(async () => {
  adminToken = (await loginAdmin(request)).accessToken;
});

describe('orders through the router', () => {
  it('places one order for an idempotency key sent twice', async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 1);
    const input = {
      items: [{ productId: products[0]!.id, quantity: 2 }],
      idempotencyKey: randomUUID(),
    };

    const first = await request(PlaceOrderDocument, { input }, { token: customer.accessToken });
    const second = await request(PlaceOrderDocument, { input }, { token: customer.accessToken });

    expect(first.data?.placeOrder.id).toBeDefined();
    expect(second.data?.placeOrder.id).toBe(first.data?.placeOrder.id);
    const mine = await request(MyOrdersDocument, {}, { token: customer.accessToken });
    expect(mine.data?.me?.orders.totalCount).toBe(1);
  });

  it('answers a query spanning all three subgraphs with the right nested data', async () => {
    const customer = await registerCustomer(request, 'Katherine Johnson');
    const { category, products } = await createCatalog(request, adminToken, 2);
    const placed = await request(
      PlaceOrderDocument,
      {
        input: {
          items: products.map((product, i) => ({ productId: product.id, quantity: i + 1 })),
          idempotencyKey: randomUUID(),
        },
      },
      { token: customer.accessToken },
    );

    const asOwner = await request(
      OrderAcrossSubgraphsDocument,
      { id: placed.data!.placeOrder.id },
      { token: customer.accessToken },
    );
    const asAdmin = await request(
      OrderAcrossSubgraphsDocument,
      { id: placed.data!.placeOrder.id },
      { token: adminToken },
    );

    const expected = {
      id: placed.data!.placeOrder.id,
      user: { id: customer.user.id, name: 'Katherine Johnson', email: customer.email },
      items: products.map((product, i) => ({
        quantity: i + 1,
        product: {
          id: product.id,
          name: product.name,
          price: product.price,
          category: { name: category.name },
        },
      })),
    };
    expect(asOwner.errors).toBeUndefined();
    expect(asOwner.data?.order).toMatchObject(expected);
    expect(asAdmin.data?.order).toMatchObject(expected);
    const mine = await request(MyOrdersDocument, {}, { token: customer.accessToken });
    expect(mine.data?.me?.orders.edges).toEqual([
      {
        node: {
          id: placed.data!.placeOrder.id,
          items: products.map((product) => ({ product: { name: product.name } })),
        },
      },
    ]);
  });

  it("answers someone else's order with NOT_FOUND", async () => {
    const [owner, other] = await Promise.all([
      registerCustomer(request),
      registerCustomer(request),
    ]);
    const { products } = await createCatalog(request, adminToken, 1);
    const placed = await request(
      PlaceOrderDocument,
      {
        input: {
          items: [{ productId: products[0]!.id, quantity: 1 }],
          idempotencyKey: randomUUID(),
        },
      },
      { token: owner.accessToken },
    );

    const result = await request(
      OrderAcrossSubgraphsDocument,
      { id: placed.data!.placeOrder.id },
      { token: other.accessToken },
    );

    expect(errorCodes(result)).toEqual(['NOT_FOUND']);
    expect(JSON.stringify(result)).not.toMatch(/serviceName|orders subgraph|stack/i);
  });
});
