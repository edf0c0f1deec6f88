import { createPublicKey } from 'node:crypto';
import { startService, testRedisUrl, type RunningService } from '@cartograph/shared/testing';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, router } from './harness.js';

const LimitedStockDocument = graphql(`
  subscription LimitedStock($ids: [ID!]) {
    stockChanged(productIds: $ids) {
      stock
    }
  }
`);

const LimitedAdjustDocument = graphql(`
  mutation LimitedAdjust($id: ID!) {
    adjustStock(productId: $id, delta: 1) {
      stock
    }
  }
`);

/**
 * A router of its own over the suite's subgraphs, with small per-address caps, behind one
 * trusted proxy: each client names its address in X-Forwarded-For, as a proxy would.
 */
let limited: RunningService;
beforeAll(async () => {
  const subgraphUrls = inject('subgraphUrls');
  limited = await startService('router-limited', 'router', {
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      HOST: '127.0.0.1',
      ROUTER_PORT: '0',
      JWT_PUBLIC_KEY: createPublicKey(inject('privateKeyPem'))
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      INTERNAL_SECRET: inject('internalSecret'),
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: `${inject('redisPrefix')}limited:`,
      USERS_SUBGRAPH_URL: subgraphUrls.users,
      PRODUCTS_SUBGRAPH_URL: subgraphUrls.products,
      ORDERS_SUBGRAPH_URL: subgraphUrls.orders,
      TRUSTED_PROXIES: '1',
      MAX_WS_CONNECTIONS_PER_ADDRESS: '2',
      MAX_SUBSCRIPTIONS_PER_ADDRESS: '3',
    },
  });
});
afterAll(() => limited?.stop());

let lastAddress = 0;
/** An address no other test uses. */
const newAddress = () => `198.51.100.${++lastAddress}`;

/** A graphql-ws client whose socket comes from `address`, as the proxy in front says. */
function clientFrom(address: string, options: Partial<ClientOptions> = {}) {
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { 'x-forwarded-for': address } });
    }
  }
  return createClient({
    url: `${limited.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: FromAddress,
    retryAttempts: 0,
    ...options,
  });
}

/** Opens a connection from `address` and holds it: connected, or the close that refused it. */
function connectFrom(address: string) {
  return new Promise<{ client: Client; refused?: { code: number; reason: string } }>((resolve) => {
    const client: Client = clientFrom(address, {
      lazy: false,
      onNonLazyError: () => undefined,
      on: {
        connected: () => resolve({ client }),
        closed: (event) => resolve({ client, refused: event as { code: number; reason: string } }),
      },
    });
  });
}

/** Whether `check` passes before the deadline, trying it again and again until then. */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  do {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  return false;
};

describe('per-address connection cap', () => {
  it('closes a connection over the cap with 4429 "Too many connections", for that address only', async () => {
    const [crowded, other] = [newAddress(), newAddress()];
    const first = await connectFrom(crowded);
    const second = await connectFrom(crowded);

    const third = await connectFrom(crowded);
    const elsewhere = await connectFrom(other);

    expect([first.refused, second.refused]).toEqual([undefined, undefined]);
    expect(third.refused).toMatchObject({ code: 4429, reason: 'Too many connections' });
    expect(elsewhere.refused).toBeUndefined();
    // A connection that closes gives its place back.
    await first.client.dispose();
    const again = async () => {
      const attempt = await connectFrom(crowded);
      await attempt.client.dispose();
      return attempt.refused === undefined;
    };
    expect(await eventually(again)).toBe(true);
    await Promise.all([second, third, elsewhere].map(({ client }) => client.dispose()));
  });
});

describe('per-address subscription cap', () => {
  it('refuses a subscription over the cap with RATE_LIMITED, across connections, and counts no queries', async () => {
    const request = router();
    const admin = await loginAdmin(request);
    const { products } = await createCatalog(request, admin.accessToken, 1);
    const product = products[0]!;
    const stock = { query: print(LimitedStockDocument), variables: { ids: [product.id] } };
    /**
     * Subscribes on `client`: live once a stock change reaches it (changes are made until one
     * does, since one made before it is upstream is not seen), or refused with its errors.
     */
    async function subscribe(client: Client) {
      const subscription = client.iterate(stock);
      const first = subscription.next().then(
        () => ({ subscription, refused: undefined }),
        (error: unknown) => ({ subscription, refused: error }),
      );
      for (;;) {
        await request(LimitedAdjustDocument, { id: product.id }, { token: admin.accessToken });
        const outcome = await Promise.race([
          first,
          new Promise<undefined>((resolve) => setTimeout(resolve, 1000)),
        ]);
        if (outcome) return outcome;
      }
    }
    const crowded = newAddress();
    const connections = [clientFrom(crowded), clientFrom(crowded)];
    const live = await Promise.all([0, 0, 1].map((i) => subscribe(connections[i]!)));

    const over = await subscribe(connections[1]!);
    const query = (await connections[0]!.iterate({ query: '{ __typename }' }).next()).value as
      FormattedExecutionResult | undefined;
    const elsewhere = clientFrom(newAddress());
    const fromOther = await subscribe(elsewhere);

    expect(live.map((outcome) => outcome.refused)).toEqual([undefined, undefined, undefined]);
    expect(over.refused).toMatchObject([
      { extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } },
    ]);
    expect(query).toEqual({ data: { __typename: 'Query' } });
    expect(fromOther.refused).toBeUndefined();
    // A subscription that ends gives its place back, once the router has seen it end.
    await live[0]!.subscription.return?.();
    let replacement = await subscribe(connections[1]!);
    for (let attempt = 0; replacement.refused && attempt < 20; attempt++)
      replacement = await subscribe(connections[1]!);
    expect(replacement.refused).toBeUndefined();
    await Promise.all(
      [...live.slice(1), fromOther, replacement].map(({ subscription }) => subscription.return?.()),
    );
    await Promise.all([...connections, elsewhere].map((client) => client.dispose()));
  });
});
