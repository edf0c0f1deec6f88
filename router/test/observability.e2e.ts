import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, registerCustomer, router } from './harness.js';

const CategoriesDocument = graphql(`
  query E2EMetricsCategories {
    categories {
      id
    }
  }
`);

const PlaceOrderDocument = graphql(`
  mutation E2EMetricsPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`);

const OrderStatusDocument = graphql(`
  query E2EMetricsOrderStatus($id: ID!) {
    order(id: $id) {
      status
    }
  }
`);

const baseOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');
const services = () => ({
  router: inject('routerUrl'),
  products: baseOf(inject('subgraphUrls').products),
  orders: baseOf(inject('subgraphUrls').orders),
});

/**
 * One sample of a Prometheus text exposition: the value of `name` on the line whose labels
 * include all of `labels`, summed over the lines that match (0 when none does).
 */
function sample(exposition: string, name: string, labels: Record<string, string> = {}) {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [
        pair[1]!,
        pair[2]!,
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value))
      total += Number(match[3]);
  }
  return total;
}

const scrape = async (base: string) => (await fetch(`${base}/metrics`)).text();

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const request = router();
let adminToken: string;
beforeAll(async () => {
  adminToken = (await loginAdmin(request)).accessToken;
});

describe('/metrics after real traffic', () => {
  it('counts operations, their latency and their errors by code, at the router and the subgraph', async () => {
    const errorsBefore = sample(
      await scrape(services().router),
      'cartograph_graphql_errors_total',
      {
        code: 'GRAPHQL_VALIDATION_FAILED',
      },
    );

    for (let i = 0; i < 3; i++) expect((await request(CategoriesDocument)).errors).toBeUndefined();
    const invalid = await fetch(`${services().router}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query E2EMetricsInvalid { noSuchField }' }),
    });

    expect(invalid.status).toBe(400);
    const routerMetrics = await scrape(services().router);
    const operation = { operation: 'E2EMetricsCategories', type: 'query', service: 'router' };
    expect({
      requests: sample(routerMetrics, 'cartograph_graphql_requests_total', operation),
      timed: sample(routerMetrics, 'cartograph_graphql_request_duration_seconds_count', operation),
    }).toEqual({ requests: 3, timed: 3 });
    const validationErrors = sample(routerMetrics, 'cartograph_graphql_errors_total', {
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
    expect(validationErrors - errorsBefore).toBeGreaterThanOrEqual(1);
    expect(
      sample(routerMetrics, 'cartograph_graphql_requests_total', { operation: 'invalid' }),
    ).toBeGreaterThanOrEqual(1);
    // The gateway names the operation it sends a subgraph after the client's.
    const productsMetrics = await scrape(services().products);
    expect(
      sample(productsMetrics, 'cartograph_graphql_requests_total', {
        operation: 'E2EMetricsCategories__products__0',
        type: 'query',
        service: 'products',
      }),
    ).toBe(3);
  });

  it('keeps /metrics small when clients send 50 KB operation names', async () => {
    const other = { operation: 'other', type: 'query', service: 'router' };
    const otherBefore = sample(
      await scrape(services().router),
      'cartograph_graphql_requests_total',
      other,
    );
    const longName = () => `Long${randomUUID().replaceAll('-', '')}${'x'.repeat(50_000)}`;

    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${services().router}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query ${longName()} { __typename }` }),
      });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    }

    const routerMetrics = await scrape(services().router);
    const labelLengths = [...routerMetrics.matchAll(/operation="([^"]*)"/g)].map(
      (match) => match[1]!.length,
    );
    expect(Math.max(...labelLengths)).toBeLessThanOrEqual(128);
    expect(
      sample(routerMetrics, 'cartograph_graphql_requests_total', other) - otherBefore,
    ).toBeGreaterThanOrEqual(5);
    // Each name as a label would appear on 15 lines: 3.75 MB for these five.
    expect(routerMetrics.length).toBeLessThan(1_000_000);
  });

  it('measures event lag where stock requests and replies are handled, and empties the outboxes', async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 1);

    const placed = await request(
      PlaceOrderDocument,
      {
        input: {
          items: [{ productId: products[0]!.id, quantity: 1 }],
          idempotencyKey: randomUUID(),
        },
      },
      { token: customer.accessToken },
    );
    const status = await eventually(
      async () =>
        (
          await request(
            OrderStatusDocument,
            { id: placed.data!.placeOrder.id },
            { token: customer.accessToken },
          )
        ).data?.order?.status,
      (value) => value === 'CONFIRMED',
    );

    expect(status).toBe('CONFIRMED');
    const [productsMetrics, ordersMetrics] = await Promise.all([
      scrape(services().products),
      scrape(services().orders),
    ]);
    expect(
      sample(productsMetrics, 'cartograph_event_lag_seconds_count', { stream: 'stock:requests' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(ordersMetrics, 'cartograph_event_lag_seconds_count', { stream: 'stock:replies' }),
    ).toBeGreaterThanOrEqual(1);
    const backlogs = await eventually(
      async () =>
        Promise.all(
          [services().products, services().orders].map(async (base) =>
            sample(await scrape(base), 'cartograph_outbox_backlog'),
          ),
        ),
      (values) => values.every((value) => value === 0),
    );
    expect(backlogs).toEqual([0, 0]);
  });
});

describe('request ids over HTTP', () => {
  it('echoes the x-request-id a client sends, from the router and from a subgraph', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const send = (base: string) =>
      fetch(`${base}/health`, { headers: { 'x-request-id': requestId } });

    const [fromRouter, fromProducts] = await Promise.all([
      send(services().router),
      send(services().products),
    ]);

    expect([
      fromRouter.headers.get('x-request-id'),
      fromProducts.headers.get('x-request-id'),
    ]).toEqual([requestId, requestId]);
  });
});
