import { randomUUID } from 'node:crypto';
import {
  createAccessTokenVerifier,
  createEventRuntime,
  createLogger,
  createMetrics,
  createRedis,
  listen,
  streams,
} from '@cartograph/shared';
import {
  createCountingPool,
  createGraphQLClient,
  generateSigningKeys,
  signTestToken,
  testRedisUrl,
  testTokenSettings,
} from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { createDb } from '../src/data/db.js';
import { transitionOrder } from '../src/data/order-store.js';
import { followOrderChanges } from '../src/events/order-changes.js';
import { startRedelivery } from '../src/events/redelivery.js';
import { handledReplies, handleStockReply } from '../src/events/stock-replies.js';
import type { OrderStatus } from '../src/generated/prisma/client.js';
import { createServer } from '../src/server.js';
import { graphql } from './__generated__/gql.js';

/**
 * The orders subgraph on a free port over this run's database, as `index.ts` wires it: outbox
 * relay and reply consumer on this run's Redis prefix, and, when asked, the redelivery sweep.
 * Resolvers count their SQL; the event flow has its own client, so it never shows in the counts.
 */
export async function startOrdersSubgraph(options: { redeliveryAfterMs?: number } = {}) {
  const keys = generateSigningKeys();
  const logger = createLogger('orders', process.env.TEST_LOG_LEVEL ?? 'silent');
  const sql = createCountingPool(inject('ordersDatabaseUrl'));
  const db = createDb(sql.pool);
  const eventsDb = createDb(inject('ordersDatabaseUrl'));
  const events = createEventRuntime({
    name: 'orders',
    redisUrl: testRedisUrl,
    prefix: inject('redisPrefix'),
    db: eventsDb,
    logger,
    consume: {
      stream: streams.stockReplies,
      group: 'orders',
      accepts: handledReplies,
      handle: (event) => handleStockReply(eventsDb, event),
      claimIdleMs: 1000,
    },
  });
  events.start();
  const redelivery =
    options.redeliveryAfterMs === undefined
      ? undefined
      : startRedelivery({
          db: eventsDb,
          kick: events.kick,
          logger,
          afterMs: options.redeliveryAfterMs,
        });
  const orderChanges = followOrderChanges({
    redis: createRedis(testRedisUrl, logger, 'orders-changes'),
    prefix: inject('redisPrefix'),
    logger,
    // The resolvers' client: what subscriptions cost the database shows in the counts.
    db,
  });
  const metrics = createMetrics('orders');
  const { apollo, httpServer } = createServer({
    deps: {
      db,
      verifyAccessToken: await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings),
      events,
      orderChanges: orderChanges.hub,
    },
    logger,
    metrics,
    production: false,
    corsOrigins: '*',
  });
  await apollo.start();
  const port = await listen(httpServer, 0, '127.0.0.1');

  /** A caller with a fresh identity: the orders subgraph only knows users by their token. */
  const caller = async (role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER') => {
    const id = randomUUID();
    return { id, token: await signTestToken(keys.privateKeyPem, { sub: id, role }) };
  };

  return {
    request: createGraphQLClient(`http://127.0.0.1:${port}/graphql`),
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    orderChanges: orderChanges.hub,
    metrics,
    db,
    sql,
    keys,
    customer: () => caller('CUSTOMER'),
    admin: () => caller('ADMIN'),
    events,
    stop: async () => {
      redelivery?.stop();
      await apollo.stop();
      await orderChanges.stop();
      await events.stop();
      await eventsDb.$disconnect();
      await db.$disconnect();
      await sql.pool.end();
    },
  };
}

export type OrdersSubgraph = Awaited<ReturnType<typeof startOrdersSubgraph>>;
export type Caller = Awaited<ReturnType<OrdersSubgraph['customer']>>;

export const PlaceOrderDocument = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      status
      user {
        id
      }
      items {
        product {
          id
        }
        quantity
        unitPrice {
          amountCents
        }
      }
      total {
        amountCents
      }
      history {
        status
        reason
      }
      rejectionReason
      createdAt
    }
  }
`);

/** Places an order of one unit of each of `lines` fresh products, through the API. */
export async function placeOrderFor(subgraph: OrdersSubgraph, caller: Caller, lines = 2) {
  const items = Array.from({ length: lines }, (_, i) => ({
    productId: randomUUID(),
    quantity: i + 1,
  }));
  const { data, errors } = await subgraph.request(
    PlaceOrderDocument,
    { input: { items, idempotencyKey: randomUUID() } },
    { token: caller.token },
  );
  if (!data) throw new Error(`placeOrder failed: ${JSON.stringify(errors)}`);
  return data.placeOrder;
}

/** Walks an order along the machine as the system and admins would, for arranging tests. */
export async function moveOrder(subgraph: OrdersSubgraph, id: string, path: OrderStatus[]) {
  let from: OrderStatus = 'PENDING';
  for (const to of path) {
    if (!(await transitionOrder(subgraph.db, id, { from, to })))
      throw new Error(`${from} -> ${to} failed`);
    from = to;
  }
}
