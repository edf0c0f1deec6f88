import { randomBytes } from 'node:crypto';
import { createInternalSigner, internalHeader } from '@cartograph/shared';
import { freePort } from '@cartograph/shared/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSupergraphSystem, type SupergraphSystem } from './supergraph-system.js';

/**
 * The router and subgraphs as deployed: NODE_ENV=production, with an internal secret; the
 * router has a metrics listener (METRICS_PORT), the subgraphs none.
 */
const secret = randomBytes(32).toString('hex');
let system: SupergraphSystem;
let metricsPort: number;
beforeAll(async () => {
  metricsPort = await freePort();
  system = await startSupergraphSystem({
    routers: 1,
    orders: 1,
    env: { NODE_ENV: 'production', INTERNAL_SECRET: secret },
    routerEnv: { METRICS_PORT: String(metricsPort) },
  });
}, 60_000);
afterAll(() => system?.stop());

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as { data?: unknown; errors?: { extensions: { code: string } }[] },
  };
}

describe('production mode', () => {
  it('turns off introspection and Sandbox', async () => {
    const introspection = await post(system.routerUrl(0), '{ __schema { queryType { name } } }');
    const page = await fetch(system.routerUrl(0), { headers: { accept: 'text/html' } });

    expect(introspection.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.body.data).toBeUndefined();
    expect(await page.text()).not.toMatch(/sandbox/i);
  });

  it('names no field of the schema in errors', async () => {
    const typo = await post(system.routerUrl(0), '{ categories { nam } }');

    expect(typo.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.text).not.toMatch(/Did you mean|"name"/);
  });

  it('serves /metrics on METRICS_PORT only, never on a public port', async () => {
    const routerPublic = await fetch(`${system.routers[0]!.url}/metrics`);
    const productsPublic = await fetch(system.productsUrl.replace(/\/graphql$/, '/metrics'));
    const listener = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const health = await fetch(`${system.routers[0]!.url}/health`);

    expect(routerPublic.status).toBe(404);
    expect(await routerPublic.text()).not.toMatch(/cartograph_/);
    expect(productsPublic.status).toBe(404);
    expect(listener.status).toBe(200);
    expect(await listener.text()).toMatch(
      /^cartograph_active_subscriptions\{service="router"\} \d+$/m,
    );
    expect(health.status).toBe(200);
  });

  it('serves through the router, whose requests subgraphs accept', async () => {
    const answer = await post(system.routerUrl(0), '{ categories { id } }');

    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ categories: expect.any(Array) });
  });

  it('has subgraphs refuse what the router did not sign, and stale signatures', async () => {
    const query = '{ categories { id } }';
    const unsigned = await post(system.productsUrl, query);
    const stale = await post(system.productsUrl, query, {
      [internalHeader]: await (async () => {
        const now = Date.now;
        Date.now = () => now() - 10 * 60_000;
        try {
          return createInternalSigner(secret)();
        } finally {
          Date.now = now;
        }
      })(),
    });
    const signed = await post(system.productsUrl, query, {
      [internalHeader]: createInternalSigner(secret)(),
    });

    expect(unsigned.status).toBe(403);
    expect(unsigned.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(stale.status).toBe(403);
    expect(signed.body.errors).toBeUndefined();
  });

  it('subscribes through the router, which signs its subgraph connections too', async () => {
    const product = await system.createProduct(5);
    const client = createClient({
      url: system.wsUrl(0),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const events = client.iterate<{ stockChanged: { stock: number } }>({
      query: `subscription { stockChanged(productIds: ["${product.id}"]) { stock } }`,
    });
    const first = events[Symbol.asyncIterator]().next();
    // The router holds the subscription upstream once the subgraph has it; then change the stock.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const adjusted = await post(
      system.routerUrl(0),
      `mutation { adjustStock(productId: "${product.id}", delta: 2) { stock } }`,
      { authorization: `Bearer ${await system.token('ADMIN')}` },
    );

    expect(adjusted.body.errors).toBeUndefined();
    expect((await first).value).toEqual({ data: { stockChanged: { stock: 7 } } });
    await client.dispose();
  });
});
