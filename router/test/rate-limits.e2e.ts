import { generateSigningKeys, signTestToken } from '@cartograph/shared/testing';
import { createClient } from 'graphql-ws';
import { Agent, fetch as fetchFrom } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSupergraphSystem, type SupergraphSystem } from './supergraph-system.js';

/**
 * Two routers sharing one Redis: the limits hold across them. 20 operations per address and 5
 * per signed-in user, per minute; every request here comes from 127.0.0.1.
 */
let system: SupergraphSystem;
beforeAll(async () => {
  system = await startSupergraphSystem({
    routers: 2,
    orders: 1,
    routerEnv: {
      RATE_LIMIT_PER_ADDRESS: '20',
      RATE_LIMIT_PER_USER: '5',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    },
  });
}, 60_000);
afterAll(() => system?.stop());

async function ask(router: number, token?: string) {
  const response = await fetch(system.routerUrl(router), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query: '{ categories { id } }' }),
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: { message: string; extensions: { code: string; retryAfter?: number } }[];
  };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('rate limits across router replicas', () => {
  it('counts per user and per address on both routers, then refuses with RATE_LIMITED', async () => {
    const [ada, bob] = await Promise.all([system.token('CUSTOMER'), system.token('CUSTOMER')]);

    const adaFirst = [];
    for (let i = 0; i < 5; i++) adaFirst.push(await ask(i % 2, ada));
    const adaOver = await ask(1, ada);
    const bobStill = await ask(0, bob);

    expect(adaFirst.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(adaOver.status).toBe(429);
    expect(adaOver.body.errors).toMatchObject([
      { extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } },
    ]);
    expect(adaOver.body.errors?.[0]?.extensions.retryAfter).toBeGreaterThan(0);
    expect(adaOver.body.errors?.[0]?.extensions.retryAfter).toBeLessThanOrEqual(60);
    expect(Number(adaOver.retryAfter)).toBe(adaOver.body.errors?.[0]?.extensions.retryAfter);
    expect(bobStill.status).toBe(200);

    // 7 of the address's 20 are spent (a refused request counts too): 13 more pass, then none.
    const anonymous = [];
    for (let i = 0; i < 14; i++) anonymous.push(await ask(i % 2));
    expect(anonymous.slice(0, 13).every((answer) => answer.status === 200)).toBe(true);
    expect(anonymous[13]).toMatchObject({
      status: 429,
      body: { errors: [{ extensions: { code: 'RATE_LIMITED' } }] },
    });

    // The WebSocket path counts against the same address.
    const client = createClient({
      url: system.wsUrl(1),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const overSocket = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: '{ categories { id } }' },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    await client.dispose();
    expect(overSocket).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
  });
});

/**
 * A client on an address of its own (any of 127/8 reaches the router on 127.0.0.1), so its
 * count starts at zero whatever the test above spent from 127.0.0.1.
 */
function clientAt(localAddress: string) {
  const dispatcher = new Agent({ localAddress });
  return {
    async ask(router: number, token: string) {
      const response = await fetchFrom(system.routerUrl(router), {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ categories { id } }' }),
      });
      const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      return { status: response.status, codes: body.errors?.map((e) => e.extensions.code) };
    },
    socket: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { localAddress });
      }
    },
    close: () => dispatcher.close(),
  };
}

describe('rate limits and forged tokens', () => {
  it('counts a request with a forged token against its address, then refuses it', async () => {
    const forged = await signTestToken(generateSigningKeys().privateKeyPem);
    const client = clientAt('127.0.0.2');

    const answers = [];
    for (let i = 0; i < 21; i++) answers.push(await client.ask(i % 2, forged));
    await client.close();

    expect(answers.slice(0, 20).map((answer) => answer.codes)).toEqual(
      Array.from({ length: 20 }, () => ['UNAUTHENTICATED']),
    );
    expect(answers[20]).toEqual({ status: 429, codes: ['RATE_LIMITED'] });
  });

  it('counts an operation with a forged token over graphql-ws against its address too', async () => {
    const forged = await signTestToken(generateSigningKeys().privateKeyPem);
    const client = clientAt('127.0.0.3');
    const ws = createClient({
      url: system.wsUrl(0),
      webSocketImpl: client.socket,
      retryAttempts: 0,
    });
    const run = () =>
      new Promise<unknown>((resolve) => {
        ws.subscribe(
          { query: '{ categories { id } }', extensions: { authorization: `Bearer ${forged}` } },
          { next: resolve, error: resolve, complete: () => undefined },
        );
      });

    const answers = [];
    for (let i = 0; i < 21; i++) answers.push(await run());
    await ws.dispose();
    await client.close();

    expect(answers.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, () => [
        expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } }),
      ]),
    );
    expect(answers[20]).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
  });
});

describe('one rate-limit point for HTTP and graphql-ws', () => {
  it('counts an operation refused for its address against no user, over graphql-ws as over HTTP', async () => {
    const [overSocket, overHttp] = await Promise.all([
      system.token('CUSTOMER'),
      system.token('CUSTOMER'),
    ]);
    const crowded = clientAt('127.0.0.4');
    const ws = createClient({
      url: system.wsUrl(0),
      webSocketImpl: crowded.socket,
      retryAttempts: 0,
    });
    const run = (token?: string) =>
      new Promise<unknown>((resolve) => {
        ws.subscribe(
          {
            query: '{ categories { id } }',
            extensions: token ? { authorization: `Bearer ${token}` } : {},
          },
          { next: resolve, error: resolve, complete: () => undefined },
        );
      });
    // The address's 20 spent anonymously, then one operation for each user, refused for it.
    for (let i = 0; i < 20; i++) await run();
    const refused = [await run(overSocket), (await crowded.ask(0, overHttp)).codes];
    await ws.dispose();
    await crowded.close();
    const elsewhere = clientAt('127.0.0.5');

    const answers = [];
    for (const token of [overSocket, overHttp])
      for (let i = 0; i < 5; i++) answers.push((await elsewhere.ask(i % 2, token)).status);
    await elsewhere.close();

    expect(refused).toMatchObject([[{ extensions: { code: 'RATE_LIMITED' } }], ['RATE_LIMITED']]);
    // Each user has all 5 of theirs left.
    expect(answers).toEqual(Array(10).fill(200));
  });
});
