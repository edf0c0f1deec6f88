import { describe, expect, inject, it } from 'vitest';

const url = (path: string) => `${inject('routerUrl')}${path}`;

describe('the router over plain HTTP', () => {
  it('answers /health, and /ready once every subgraph is ready', async () => {
    const health = await fetch(url('/health'));
    const ready = await fetch(url('/ready'));

    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });

  it('serves Apollo Sandbox to a browser on the GraphQL URL', async () => {
    const page = await fetch(url('/graphql'), { headers: { accept: 'text/html' } });

    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/embeddable-sandbox/i);
  });

  it("allows Sandbox's origin through CORS", async () => {
    const preflight = await fetch(url('/graphql'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://studio.apollographql.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toMatch(
      /^(\*|https:\/\/studio\.apollographql\.com)$/,
    );
  });

  it('answers introspection in development', async () => {
    const response = await fetch(url('/graphql'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });

    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});
