/**
 * `npm run bench [-- queries|protections|orders|subscriptions]`: figures for the router and the event flow, on a stack
 * of its own over throwaway databases. Prints; asserts nothing. BENCH_DURATION (s) and
 * BENCH_CONNECTIONS tune it; BENCH_CPU_PROFILE_DIR writes a CPU profile per service.
 */
import { createInternalSigner, internalHeader } from '@cartograph/shared';
import { measure, printTable, settings, type Figures } from './measure.js';
import { measureOrders, prepareOrderWorkload } from './orders.js';
import {
  orderAcrossSubgraphs,
  orderOnly,
  prepareOrder,
  productList,
  productListWithCategories,
} from './queries.js';
import { startBenchStack } from './stack.js';
import { measureStockSubscriptions } from './stock-subscriptions.js';
import { measureSubscriptions } from './subscriptions.js';

const only = process.argv[2];
const stack = await startBenchStack();
const watch = Object.fromEntries(
  Object.entries(stack.processes).map(([name, service]) => [name, service.process.pid!]),
);
try {
  if (!only || only === 'queries') {
    const { token, orderId } = await prepareOrder(stack);
    const rows: Figures[] = [];
    // Subgraphs answer only what the router signed; the bench signs like the router.
    const sign = createInternalSigner(stack.internalSecret);
    const signed = () => ({ [internalHeader]: sign() });
    const workloads = [
      { name: 'products(first: 10), router', url: stack.urls.router, query: productList },
      {
        name: 'products(first: 10), products subgraph',
        url: stack.urls.products,
        query: productList,
        headers: signed,
      },
      {
        name: 'products + category, router',
        url: stack.urls.router,
        query: productListWithCategories,
      },
      {
        name: 'products + category, products subgraph',
        url: stack.urls.products,
        query: productListWithCategories,
        headers: signed,
      },
      {
        name: 'order + user + products (3 subgraphs), router',
        url: stack.urls.router,
        query: orderAcrossSubgraphs,
        variables: { id: orderId },
        token,
      },
      {
        name: 'order + items, orders subgraph',
        url: stack.urls.orders,
        query: orderOnly,
        variables: { id: orderId },
        token,
        headers: signed,
      },
    ];
    for (const workload of workloads) {
      rows.push(await measure(workload, watch));
      console.log(`measured ${workload.name}`);
    }
    printTable(
      `Queries (${settings.connections} connections, ${settings.durationSeconds}s each, all processes on this machine)`,
      rows,
    );
  }
  if (!only || only === 'protections') {
    const { token, orderId } = await prepareOrder(stack);
    const pairs = [
      { name: 'products(first: 10)', query: productList },
      {
        name: 'order + user + products (3 subgraphs)',
        query: orderAcrossSubgraphs,
        variables: { id: orderId },
        token,
      },
    ];
    const rows = [];
    for (const pair of pairs) {
      // Off, on, off, on: the machine's drift falls on both sides alike.
      const off = [];
      const on = [];
      for (let round = 0; round < 2; round++) {
        off.push(await measure({ ...pair, url: stack.urls.unprotectedRouter }));
        on.push(await measure({ ...pair, url: stack.urls.router }));
      }
      const mean = (figures: Figures[]) =>
        figures.reduce((sum, figure) => sum + figure.requestsPerSecond, 0) / figures.length;
      rows.push({
        workload: pair.name,
        'protections off req/s': Math.round(mean(off)),
        'protections on req/s': Math.round(mean(on)),
        'on / off': Math.round((mean(on) / mean(off)) * 1000) / 1000,
        'p99 off ms': Math.max(...off.map((figure) => figure.p99)),
        'p99 on ms': Math.max(...on.map((figure) => figure.p99)),
      });
      console.log(`measured protections on ${pair.name}`);
    }
    console.log(
      '\nProtections: operation limits, Redis rate limits and APQ, off and on (security headers stay on)',
    );
    console.table(rows);
  }
  if (!only || only === 'orders') {
    const workload = await prepareOrderWorkload(stack);
    const rate = Number(process.env.BENCH_ORDER_RATE ?? 50);
    // The steady run goes first: the saturating one leaves work (vacuum, a drained backlog) behind.
    const rows = [
      await measureOrders(stack, workload, `steady ${rate} orders/s`, rate),
      await measureOrders(stack, workload, 'as fast as possible'),
    ];
    console.log(
      `\nOrders: placeOrder through the router, ${settings.connections} connections, ${settings.durationSeconds}s each`,
    );
    console.table(
      rows.map((row) => ({
        workload: row.name,
        'orders/s': row.ordersPerSecond,
        placed: row.placed,
        confirmed: row.confirmed,
        errors: row.errors,
        'PENDING→CONFIRMED p50 ms': row.confirmP50,
        'PENDING→CONFIRMED p99 ms': row.confirmP99,
      })),
    );
  }
  if (!only || only === 'subscriptions') {
    const rows = [];
    for (const count of (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number)) {
      rows.push(await measureSubscriptions(stack, count));
      console.log(`measured ${count} subscribers`);
      if (process.env.BENCH_SUBSCRIPTIONS_DIRECT) {
        rows.push(await measureSubscriptions(stack, count, 'orders'));
        console.log(`measured ${count} subscribers straight to the orders subgraph`);
      }
    }
    console.log(
      '\nSubscriptions: one graphql-ws client per order through the router, one status change each',
    );
    console.table(
      rows.map((row) => ({
        through: row.through,
        subscribers: row.subscribers,
        'connect + first event s': row.connectSeconds,
        delivered: row.delivered,
        'commit→client p50 ms': row.p50,
        'p99 ms': row.p99,
        'max ms': row.max,
        'router peak RSS MiB': row.routerPeakRssMiB,
        'router CPU s': row.routerCpuSeconds,
      })),
    );
    const stockRows = [];
    for (const count of (process.env.BENCH_STOCK_SUBSCRIBERS ?? '1,5000').split(',').map(Number)) {
      stockRows.push(await measureStockSubscriptions(stack, count));
      console.log(`measured ${count} stock subscribers`);
    }
    console.log(
      '\nStock changes: graphql-ws clients through the router following one product, changes one at a time',
    );
    console.table(
      stockRows.map((row) => ({
        subscribers: row.subscribers,
        changes: row.changes,
        'subscribers with every change': row.delivered,
        'products DB queries per change': row.queriesPerChange,
      })),
    );
  }
} finally {
  await stack.stop();
}
