import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { settings } from './measure.js';
import type { BenchStack } from './stack.js';

const placeOrder = /* GraphQL */ `
  mutation BenchPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`;

async function call<T>(url: string, query: string, variables: object, token?: string): Promise<T> {
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

export interface OrderFigures {
  name: string;
  ordersPerSecond: number;
  placed: number;
  confirmed: number;
  errors: number;
  confirmP50: number;
  confirmP99: number;
}

/** Logs in, and makes sure the first 20 products can serve every order the run places. */
export async function prepareOrderWorkload(stack: BenchStack) {
  const login = (input: object) =>
    call<{ login: { accessToken: string } }>(
      stack.urls.router,
      'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input },
    );
  const [admin, customer] = [await login(stack.admin), await login(stack.customer)];
  const { products } = await call<{ products: { edges: { node: { id: string } }[] } }>(
    stack.urls.router,
    '{ products(first: 20) { edges { node { id } } } }',
    {},
  );
  const productIds = products.edges.map(({ node }) => node.id);
  for (const id of productIds) {
    await call(
      stack.urls.router,
      'mutation($id: ID!) { adjustStock(productId: $id, delta: 1000000) { id } }',
      { id },
      admin.login.accessToken,
    );
  }
  return { token: customer.login.accessToken, productIds };
}

/**
 * Places orders through the router, each with a fresh idempotency key: as fast as the clients
 * can (`rate` unset), or at a steady `rate` per second. Then waits for every one to be decided
 * and reads from the orders database how long each took from its PENDING commit to CONFIRMED.
 */
export async function measureOrders(
  stack: BenchStack,
  workload: { token: string; productIds: string[] },
  name: string,
  rate?: number,
): Promise<OrderFigures> {
  const { token, productIds } = workload;
  const started = new Date();
  let n = 0;
  const result = await autocannon({
    url: stack.urls.router,
    method: 'POST',
    // A steady rate from one paced connection; many connections at a low rate fire in bursts.
    connections: rate ? 1 : settings.connections,
    duration: settings.durationSeconds,
    ...(rate && { overallRate: rate }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            query: placeOrder,
            variables: {
              input: {
                idempotencyKey: randomUUID(),
                items: [
                  { productId: productIds[n++ % productIds.length], quantity: 1 },
                  { productId: productIds[n++ % productIds.length], quantity: 2 },
                ],
              },
            },
          }),
        }),
      },
    ],
  });

  const db = new pg.Client({ connectionString: stack.databaseUrls.orders });
  await db.connect();
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS pending FROM orders WHERE status = 'PENDING' AND created_at >= $1`,
        [started],
      );
      if (rows[0].pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { rows } = await db.query(
      `SELECT
         count(c.*)::int AS confirmed,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.at - p.at)) * 1000 AS p50,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM c.at - p.at)) * 1000 AS p99
       FROM orders o
       JOIN order_status_changes p ON p.order_id = o.id AND p.status = 'PENDING'
       JOIN order_status_changes c ON c.order_id = o.id AND c.status = 'CONFIRMED'
       WHERE o.created_at >= $1`,
      [started],
    );
    await db.query(`DELETE FROM orders WHERE created_at >= $1`, [started]);
    const [row] = rows;
    return {
      name,
      ordersPerSecond: Math.round(result.requests.average),
      placed: result.requests.total,
      confirmed: row.confirmed,
      errors: result.errors + result.non2xx + result.timeouts,
      confirmP50: Math.round(row.p50),
      confirmP99: Math.round(row.p99),
    };
  } finally {
    await db.end();
  }
}
