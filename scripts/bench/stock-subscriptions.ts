import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { call } from './queries.js';
import type { BenchStack } from './stack.js';

export interface StockSubscriptionFigures {
  subscribers: number;
  changes: number;
  /** Subscribers that received every change; the rest failed to connect or fell behind. */
  delivered: number;
  /** The products subgraph's cartograph_db_queries_total, per change. */
  queriesPerChange: number;
}

const subscription = `subscription BenchStock($ids: [ID!]) {
  stockChanged(productIds: $ids) { stock at product { id name price { amountCents } } }
}`;

const adjust = `mutation BenchAdjust($id: ID!) { adjustStock(productId: $id, delta: 1) { stock } }`;

/** A counter's value from a service's Prometheus text. */
async function counter(serviceUrl: string, name: string) {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name}{`));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

/**
 * `subscribers` graphql-ws clients through the router, all following one product's stock, then
 * `changes` stock changes one after another: what they cost the products subgraph's database,
 * read from its `cartograph_db_queries_total` before and after. The figure includes each
 * change's own mutation and the outbox relay's publishing, which do not depend on subscribers.
 */
export async function measureStockSubscriptions(
  stack: BenchStack,
  subscribers: number,
  changes = Number(process.env.BENCH_STOCK_CHANGES ?? 50),
): Promise<StockSubscriptionFigures> {
  const { login } = await call<{ login: { accessToken: string } }>(
    stack.urls.router,
    'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: stack.admin },
  );
  const { products } = await call<{ products: { edges: { node: { id: string } }[] } }>(
    stack.urls.router,
    '{ products(first: 1) { edges { node { id } } } }',
    {},
  );
  const productId = products.edges[0]!.node.id;
  const change = () =>
    call<{ adjustStock: { stock: number } }>(
      stack.urls.router,
      adjust,
      { id: productId },
      login.accessToken,
    );

  const wsUrl = stack.urls.router.replace('http', 'ws');
  const clients: Client[] = [];
  /** The highest stock each subscriber has been told; failed ones stay at -1. */
  const seen = new Int32Array(subscribers).fill(-1);
  const failed = new Set<number>();
  // In batches, each connected before the next starts: thousands of sockets opened at once
  // overflow the listen backlog, which is not what this measures.
  for (let i = 0; i < subscribers; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(subscribers, i + 100); j++) {
      batch.push(
        new Promise<void>((settled) => {
          const client = createClient({
            url: wsUrl,
            webSocketImpl: WebSocket,
            retryAttempts: 5,
            on: { connected: () => settled() },
          });
          clients.push(client);
          client.subscribe<{ stockChanged: { stock: number } }>(
            { query: subscription, variables: { ids: [productId] } },
            {
              next: ({ data }) => {
                if (data) seen[j] = Math.max(seen[j]!, data.stockChanged.stock);
              },
              error: () => {
                failed.add(j);
                settled();
              },
              complete: () => undefined,
            },
          );
        }),
      );
    }
    await Promise.all(batch);
  }
  const everyoneHas = async (stock: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const behind = () => seen.some((value, j) => value < stock && !failed.has(j));
    while (behind() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return !behind();
  };
  // Every subscription is live upstream once a change reaches it; changes made before do not.
  let stock = (await change()).adjustStock.stock;
  for (let tries = 0; tries < 30 && !(await everyoneHas(stock, 2000)); tries++)
    stock = (await change()).adjustStock.stock;

  const before = await counter(stack.metricsUrls.products, 'cartograph_db_queries_total');
  for (let i = 0; i < changes; i++) stock = (await change()).adjustStock.stock;
  await everyoneHas(stock, 60_000);
  const after = await counter(stack.metricsUrls.products, 'cartograph_db_queries_total');
  const delivered = seen.filter((value) => value >= stock).length;
  await Promise.all(clients.map((client) => client.dispose()));
  return {
    subscribers,
    changes,
    delivered,
    queriesPerChange: Math.round(((after - before) / changes) * 10) / 10,
  };
}
