import { randomUUID } from 'node:crypto';
import { signTestToken, startSubgraphInProcess, subgraphTestRun } from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { transitionOrder } from '../src/data/order-store.js';
import type { OrderStatus } from '../src/generated/prisma/client.js';
import { createOrdersService } from '../src/service.js';
import { graphql } from './__generated__/gql.js';

/**
 * The orders subgraph on a free port over this run's database, as `index.ts` builds it: outbox
 * relay and reply consumer on this run's Redis prefix and, when asked, the redelivery sweep.
 * Resolvers count their SQL; the event flow has its own client, so it never shows in the counts.
 */
export async function startOrdersSubgraph(options: { redeliveryAfterMs?: number } = {}) {
  const { service, keys, ...started } = await startSubgraphInProcess(
    createOrdersService,
    subgraphTestRun(inject),
    (config) => ({ ...config, stockRetryAfterMs: options.redeliveryAfterMs }),
  );

  /** A caller with a fresh identity: the orders subgraph only knows users by their token. */
  const caller = async (role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER') => {
    const id = randomUUID();
    return { id, token: await signTestToken(keys.privateKeyPem, { sub: id, role }) };
  };

  return {
    ...started,
    orderChanges: service.orderChanges,
    metrics: service.metrics,
    db: service.db,
    keys,
    customer: () => caller('CUSTOMER'),
    admin: () => caller('ADMIN'),
    events: service.events,
    stop: service.stop,
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
