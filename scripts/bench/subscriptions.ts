import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInternalSigner, internalHeader } from '@cartograph/shared';
import { signTestToken } from '@cartograph/shared/testing';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import type { BenchStack } from './stack.js';

export interface SubscriptionFigures {
  through: string;
  subscribers: number;
  connectSeconds: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
  routerPeakRssMiB: number;
  routerCpuSeconds: number;
}

const subscription = `subscription BenchTrack($id: ID!) {
  orderStatusChanged(orderId: $id) { id status updatedAt }
}`;

const moveOrder = `mutation BenchMove($id: ID!) {
  updateOrderStatus(id: $id, status: PAID) { id }
}`;

function procStatus(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { peakRssKiB: kib('VmHWM'), cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/** `count` CONFIRMED orders, one per made-up customer, written straight to the orders database. */
async function seedOrders(stack: BenchStack, count: number) {
  const db = new pg.Client({ connectionString: stack.databaseUrls.orders });
  await db.connect();
  try {
    const orders = Array.from({ length: count }, () => ({
      id: randomUUID(),
      userId: randomUUID(),
    }));
    await db.query(
      `INSERT INTO orders (id, user_id, status, idempotency_key, total_cents, currency, updated_at)
       SELECT id, user_id, 'CONFIRMED', id, 500, 'USD', now() FROM unnest($1::text[], $2::text[]) AS o(id, user_id)`,
      [orders.map((o) => o.id), orders.map((o) => o.userId)],
    );
    await db.query(
      `INSERT INTO order_items (id, order_id, product_id, quantity, position, unit_price_cents, currency)
       SELECT gen_random_uuid()::text, id, 'bench-product', 1, 0, 500, 'USD' FROM unnest($1::text[]) AS o(id)`,
      [orders.map((o) => o.id)],
    );
    await db.query(
      `INSERT INTO order_status_changes (order_id, status) SELECT id, 'CONFIRMED' FROM unnest($1::text[]) AS o(id)`,
      [orders.map((o) => o.id)],
    );
    return orders;
  } finally {
    await db.end();
  }
}

/**
 * `subscribers` graphql-ws clients through the router, each watching its own order; then one
 * status change per order through the router. The delivery latency is the time from the
 * change's commit (the order's updatedAt, same machine clock) to the client receiving it.
 */
export async function measureSubscriptions(
  stack: BenchStack,
  subscribers: number,
  through: 'router' | 'orders' = 'router',
): Promise<SubscriptionFigures> {
  const routerPid = stack.processes.router.process.pid!;
  const cpuBefore = procStatus(routerPid).cpuSeconds;
  const orders = await seedOrders(stack, subscribers);
  const wsUrl = stack.urls[through].replace('http', 'ws');
  const sign = createInternalSigner(stack.internalSecret);
  const latencies: number[] = [];
  const clients: Client[] = [];
  const firstEvents: Promise<void>[] = [];
  const changed = new Map<string, () => void>();
  const delivered: Promise<void>[] = [];

  const connectStarted = Date.now();
  for (let i = 0; i < orders.length; i += 250) {
    const batch = orders.slice(i, i + 250);
    await Promise.all(
      batch.map(async ({ id, userId }) => {
        const token = await signTestToken(stack.privateKeyPem, { sub: userId });
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: () => ({ authorization: `Bearer ${token}`, [internalHeader]: sign() }),
          retryAttempts: 0,
        });
        clients.push(client);
        let ready: () => void;
        firstEvents.push(new Promise<void>((resolve) => (ready = resolve)));
        delivered.push(new Promise<void>((resolve) => changed.set(id, resolve)));
        client.subscribe<{ orderStatusChanged: { status: string; updatedAt: string } }>(
          { query: subscription, variables: { id } },
          {
            next: ({ data }) => {
              const order = data?.orderStatusChanged;
              if (order?.status === 'CONFIRMED') ready();
              if (order?.status === 'PAID') {
                latencies.push(Date.now() - Date.parse(order.updatedAt));
                changed.get(id)!();
              }
            },
            error: () => ready(),
            complete: () => undefined,
          },
        );
      }),
    );
  }
  await Promise.all(firstEvents);
  const connectSeconds = (Date.now() - connectStarted) / 1000;

  const {
    data: { login },
  } = (await (
    await fetch(stack.urls.router, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        variables: { input: stack.admin },
      }),
    })
  ).json()) as { data: { login: { accessToken: string } } };
  const queue = [...orders];
  await Promise.all(
    Array.from({ length: Number(process.env.BENCH_CHANGE_CONCURRENCY ?? 32) }, async () => {
      for (let order = queue.pop(); order; order = queue.pop()) {
        await fetch(stack.urls.router, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${login.accessToken}`,
          },
          body: JSON.stringify({ query: moveOrder, variables: { id: order.id } }),
        });
      }
    }),
  );
  await Promise.race([
    Promise.all(delivered),
    new Promise((resolve) => setTimeout(resolve, 60_000)),
  ]);
  const router = procStatus(routerPid);
  await Promise.all(clients.map((client) => client.dispose()));

  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    through,
    subscribers,
    connectSeconds,
    delivered: latencies.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    routerPeakRssMiB: Math.round(router.peakRssKiB / 1024),
    routerCpuSeconds: Math.round((router.cpuSeconds - cpuBefore) * 10) / 10,
  };
}
