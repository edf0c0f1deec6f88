import type { BenchStack } from './stack.js';

export const productList = /* GraphQL */ `
  query BenchProducts {
    products(first: 10, sort: PRICE_DESC) {
      edges {
        node {
          id
          name
          price {
            amountCents
          }
        }
      }
    }
  }
`;

export const productListWithCategories = /* GraphQL */ `
  query BenchProductsWithCategories {
    products(first: 10) {
      edges {
        node {
          id
          name
          category {
            name
          }
        }
      }
    }
  }
`;

/** The three-subgraph query: orders, then users and products in parallel. */
export const orderAcrossSubgraphs = /* GraphQL */ `
  query BenchOrder($id: ID!) {
    order(id: $id) {
      id
      status
      user {
        name
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
    }
  }
`;

/** The orders subgraph's own part of the query above, to compare with going direct. */
export const orderOnly = /* GraphQL */ `
  query BenchOrderDirect($id: ID!) {
    order(id: $id) {
      id
      status
      items {
        quantity
      }
    }
  }
`;

export async function call<T>(
  url: string,
  query: string,
  variables: object,
  token?: string,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.json()) as { data?: T; errors?: unknown };
  if (!json.data) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

/** Logs the demo customer in and places an order of three seeded products. */
export async function prepareOrder(stack: BenchStack) {
  const { login } = await call<{ login: { accessToken: string } }>(
    stack.urls.router,
    'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: stack.customer },
  );
  const { products } = await call<{ products: { edges: { node: { id: string } }[] } }>(
    stack.urls.router,
    '{ products(first: 3) { edges { node { id } } } }',
    {},
  );
  const { placeOrder } = await call<{ placeOrder: { id: string } }>(
    stack.urls.router,
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
    {
      input: {
        idempotencyKey: `bench-${Date.now()}`,
        items: products.edges.map(({ node }) => ({ productId: node.id, quantity: 1 })),
      },
    },
    login.accessToken,
  );
  return { token: login.accessToken, orderId: placeOrder.id };
}
