import { createServer } from 'node:http';
import {
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type FormattedExecutionResult,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { authenticate, createAccessTokenVerifier, type Viewer } from '../auth/auth.js';
import { EventHub } from '../events/event-queue.js';
import { createLogger } from '../observability/logger.js';
import { generateSigningKeys, signTestToken, testTokenSettings } from '../testing/keys.js';
import { listen } from './lifecycle.js';
import { serveGraphQLOverWebSocket } from './ws-server.js';

interface TestContext {
  viewer: Viewer | null;
}

const ticks = new EventHub<number>();
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { ok: { type: GraphQLInt, resolve: () => 1 } },
  }),
  subscription: new GraphQLObjectType<unknown, TestContext>({
    name: 'Subscription',
    fields: {
      ticks: { type: GraphQLInt, subscribe: () => ticks.listen(['*']), resolve: (n) => n },
      // Names who the operation runs as, on every tick.
      viewer: {
        type: GraphQLString,
        subscribe: () => ticks.listen(['*']),
        resolve: (_tick, _args, context) => context.viewer?.id ?? 'anonymous',
      },
      // Not an event stream: graphql-js throws a plain Error from `subscribe`, outside the
      // errors it turns into results.
      broken: { type: GraphQLInt, subscribe: () => 42 as never },
    },
  }),
});

const keys = generateSigningKeys();
const verifyAccessToken = await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings);
/** Who an operation runs as, under `authenticate`'s rule, as every service decides it. */
const contextOf = async (authorization: unknown): Promise<TestContext> => ({
  viewer: (await authenticate(authorization, verifyAccessToken)).viewer,
});
const httpServer = createServer();
let url: string;
let server: { dispose(): Promise<void> };
beforeAll(async () => {
  server = serveGraphQLOverWebSocket({
    httpServer,
    schema,
    logger: createLogger('ws-test', 'silent'),
    verifyAccessToken,
    context: async (authorization, _request, requestId) => {
      // A context that cannot be made (a dependency away, say) for one marked operation.
      if (requestId === 'doomed') throw new Error('connection pool exhausted');
      return contextOf(authorization);
    },
  });
  url = `ws://127.0.0.1:${await listen(httpServer, 0, '127.0.0.1')}/graphql`;
});
afterAll(() => server.dispose());

/** One operation's first result, or what ended it: its errors, or the connection's close. */
function first(client: Client, query: string, extensions?: Record<string, unknown>) {
  return new Promise<FormattedExecutionResult | unknown>((resolve) => {
    const stop = client.subscribe(
      { query, extensions },
      {
        next: (result) => {
          resolve(result);
          stop();
        },
        error: resolve,
        complete: () => resolve('completed'),
      },
    );
  });
}

/** A subscription's results as they come, ended by the caller. */
function follow(client: Client, query: string, extensions?: Record<string, unknown>) {
  const iterator = client.iterate({ query, extensions });
  return {
    next: async () => (await iterator.next()).value as FormattedExecutionResult,
    end: () => iterator.return?.(),
  };
}

const connect = (connectionParams: Record<string, unknown> = {}) =>
  createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams });

/** Waits until `count` listeners follow the ticks, so a tick published next reaches them. */
async function listeners(count: number) {
  const deadline = Date.now() + 5000;
  while (ticks.size < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(ticks.size).toBe(count);
}

describe('serveGraphQLOverWebSocket', () => {
  it("answers each failing operation with its own error and keeps the connection's others running", async () => {
    // One connection carrying many callers' operations, as the router multiplexes them upstream.
    const shared = connect();
    const token = await signTestToken(keys.privateKeyPem, { sub: 'ada' });
    const live = follow(shared, 'subscription { ticks }');
    const asAda = follow(shared, 'subscription { viewer }', { authorization: `Bearer ${token}` });
    await listeners(2);

    const failures = await Promise.all([
      first(shared, 'subscription { ticks }', { requestId: 'doomed' }),
      first(shared, 'subscription { broken }'),
      first(shared, 'subscription { ticks }', { authorization: token }),
      first(shared, 'subscription { ticks }', { authorization: 42 }),
      first(shared, 'subscription { ticks }', { authorization: 'Bearer not-a-token' }),
    ]);
    ticks.publish([], 7);

    expect(failures).toMatchObject([
      [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      {
        errors: [
          { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      },
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
      [{ extensions: { code: 'UNAUTHENTICATED' } }],
    ]);
    expect(await live.next()).toEqual({ data: { ticks: 7 } });
    expect(await asAda.next()).toEqual({ data: { viewer: 'ada' } });
    await Promise.all([live.end(), asAda.end()]);
    await shared.dispose();
  });

  it('takes exactly what HTTP takes in connection_init, in any case of the scheme, and refuses a bare token', async () => {
    const token = await signTestToken(keys.privateKeyPem, { sub: 'grace' });
    const lowerCase = connect({ authorization: `bearer ${token}` });
    const bare = connect({ authorization: token });

    const accepted = follow(lowerCase, 'subscription { viewer }');
    await listeners(1);
    ticks.publish([], 1);
    const refused = await first(bare, 'subscription { viewer }');

    expect(await accepted.next()).toEqual({ data: { viewer: 'grace' } });
    expect(refused).toMatchObject({ code: 4403 });
    await accepted.end();
    await Promise.all([lowerCase.dispose(), bare.dispose()]);
  });
});

describe('serveGraphQLOverWebSocket per-client caps', () => {
  const cappedServer = createServer();
  let cappedUrl: string;
  let capped: { dispose(): Promise<void> };
  beforeAll(async () => {
    capped = serveGraphQLOverWebSocket({
      httpServer: cappedServer,
      schema,
      logger: createLogger('ws-test', 'silent'),
      verifyAccessToken,
      context: contextOf,
      perClient: {
        key: (request) => String(request.headers['x-client']),
        maxConnections: 5,
        maxSubscriptions: 2,
      },
    });
    cappedUrl = `ws://127.0.0.1:${await listen(cappedServer, 0, '127.0.0.1')}/graphql`;
  });
  afterAll(() => capped.dispose());

  /** A raw graphql-transport-ws socket for `client`, acknowledged, and every message it gets. */
  async function rawSocket(client: string) {
    const socket = new WebSocket(cappedUrl, 'graphql-transport-ws', {
      headers: { 'x-client': client },
    });
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    const send = (message: object) => socket.send(JSON.stringify(message));
    const arrived = async (check: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!check() && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const answered = async (id: string) => {
      await arrived(() => messages.some((message) => message.id === id));
      return messages.find((message) => message.id === id);
    };
    await arrived(() => messages.some((message) => message.type === 'connection_ack'));
    return { socket, messages, send, answered };
  }

  /** Subscribes to ticks under `ids` on a fresh socket: which got a tick, which an error. */
  async function holdTicks(client: string, ids: string[]) {
    const raw = await rawSocket(client);
    const before = ticks.size;
    for (const id of ids)
      raw.send({ id, type: 'subscribe', payload: { query: 'subscription { ticks }' } });
    const deadline = Date.now() + 5000;
    const settled = () =>
      ticks.size - before + raw.messages.filter((message) => message.type === 'error').length;
    while (settled() < ids.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    ticks.publish([], 1);
    await Promise.all(ids.map((id) => raw.answered(id)));
    const outcome = ids.map((id) => raw.messages.find((message) => message.id === id)?.type);
    raw.socket.close();
    while (ticks.size > before) await new Promise((resolve) => setTimeout(resolve, 10));
    return outcome;
  }

  it('gives every place back however a client ends its operations, reused ids included', async () => {
    const raw = await rawSocket('reuser');

    // Ended and started again under the same id as fast as the socket goes, so that a new
    // operation often starts before the one it replaces has finished ending.
    for (let round = 0; round < 100; round++) {
      raw.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' } });
      raw.send({ id: '1', type: 'complete' });
    }
    raw.socket.close();
    // Closing frees what the socket held; both places are free again soon after.
    let outcome: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 20 && outcome.join() !== 'next,next'; attempt++)
      outcome = await holdTicks('reuser', ['a', 'b']);

    expect(outcome).toEqual(['next', 'next']);
  });
});
