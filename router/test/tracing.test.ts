import { randomUUID } from 'node:crypto';
import {
  createAccessTokenVerifier,
  createEventRuntime,
  createLogger,
  createMetrics,
  defaultOperationLimits,
  EventHub,
  listen,
} from '@cartograph/shared';
import {
  freePort,
  generateSigningKeys,
  testRedisUrl,
  testTokenSettings,
} from '@cartograph/shared/testing';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeSupergraph } from '../../schema/compose.js';
import { createDb } from '../../subgraphs/products/src/data/db.js';
import { createServer as createProducts } from '../../subgraphs/products/src/server.js';
import { createRouter } from '../src/server.js';

/**
 * The router and the products subgraph in this process, sharing one tracer provider that keeps
 * every span in memory; users and orders point at a port nobody listens on. The router's log
 * lines are kept too, to find an error's request id in them.
 */
async function startTracedSupergraph() {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // As `startTracing` does: async-hooks context and W3C trace context propagation.
  provider.register();
  const keys = generateSigningKeys();
  const verifyAccessToken = await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings);
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const routerLog: Record<string, unknown>[] = [];
  const db = createDb(inject('databaseUrls').products);
  const events = createEventRuntime({
    name: 'products',
    redisUrl: testRedisUrl,
    prefix: inject('redisPrefix'),
    db,
    logger,
  });
  const products = createProducts({
    deps: { db, verifyAccessToken, events, stockChanges: new EventHub() },
    logger,
    metrics: createMetrics('products'),
    production: false,
    corsOrigins: '*',
  });
  await products.apollo.start();
  const productsPort = await listen(products.httpServer, 0, '127.0.0.1');
  const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
  const router = createRouter({
    supergraphSdl: (await composeSupergraph()).supergraphSdl,
    subgraphUrls: {
      products: `http://127.0.0.1:${productsPort}/graphql`,
      users: nowhere,
      orders: nowhere,
    },
    subgraphPool: { connections: 4, timeoutMs: 5000 },
    subscriptions: {
      queueLimit: 100,
      retryAttempts: 0,
      maxPerConnection: 100,
      maxConnectionsPerAddress: 0,
      maxPerAddress: 0,
    },
    limits: defaultOperationLimits,
    trustedProxies: 0,
    verifyAccessToken,
    logger: pino(
      { level: 'error' },
      { write: (line: string) => void routerLog.push(JSON.parse(line)) },
    ),
    introspection: false,
    corsOrigins: '*',
  });
  await router.apollo.start();
  const url = `http://127.0.0.1:${await listen(router.httpServer, 0, '127.0.0.1')}/graphql`;
  return {
    exporter,
    routerLog,
    async post(query: string, headers: Record<string, string> = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      // Spans end as their responses are written; flushing hands every ended one over.
      await provider.forceFlush();
      return {
        headers: response.headers,
        body: (await response.json()) as Record<string, unknown>,
      };
    },
    async stop() {
      await router.stop();
      await products.apollo.stop();
      await events.stop();
      await db.$disconnect();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

let stack: Awaited<ReturnType<typeof startTracedSupergraph>>;
beforeAll(async () => {
  stack = await startTracedSupergraph();
});
afterAll(() => stack?.stop());

const spansOfTrace = (traceId: string) =>
  stack.exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing across the router and a subgraph', () => {
  it("makes one trace in which the subgraph's server span is the child of the router's fetch", async () => {
    const requestId = `trace-${randomUUID()}`;

    const { body } = await stack.post('query TracedCategories { categories { id } }', {
      'x-request-id': requestId,
    });

    expect(body.errors).toBeUndefined();
    const routerSpan = stack.exporter
      .getFinishedSpans()
      .find((span) => span.attributes['cartograph.request_id'] === requestId && !parentOf(span))!;
    expect(routerSpan).toMatchObject({
      name: 'graphql.operation TracedCategories',
      kind: SpanKind.SERVER,
      attributes: {
        'graphql.operation.name': 'TracedCategories',
        'graphql.operation.type': 'query',
      },
    });
    const spans = spansOfTrace(routerSpan.spanContext().traceId);
    const fetchSpan = spans.find((span) => span.name === 'subgraph products')!;
    const subgraphSpan = spans.find(
      (span) => span.kind === SpanKind.SERVER && parentOf(span) === fetchSpan.spanContext().spanId,
    );
    expect(fetchSpan.kind).toBe(SpanKind.CLIENT);
    expect(subgraphSpan).toMatchObject({
      kind: SpanKind.SERVER,
      attributes: {
        'graphql.operation.type': 'query',
        // The router passed the request id on with the trace context.
        'cartograph.request_id': requestId,
      },
    });
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const ancestors: string[] = [];
    for (let span = byId.get(parentOf(fetchSpan)!); span; span = byId.get(parentOf(span) ?? ''))
      ancestors.push(span.spanContext().spanId);
    expect(ancestors.at(-1)).toBe(routerSpan.spanContext().spanId);
  });

  it("continues the caller's trace when the request carries a traceparent", async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const callerSpanId = traceId.slice(0, 16);
    const requestId = `trace-${randomUUID()}`;

    await stack.post('query CallerTraced { categories { id } }', {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      'x-request-id': requestId,
    });

    const routerSpan = spansOfTrace(traceId).find(
      (span) => span.name === 'graphql.operation CallerTraced',
    );
    expect(parentOf(routerSpan!)).toBe(callerSpanId);
  });
});

describe('request ids at the router', () => {
  it('echoes a plausible x-request-id and replaces one that is not', async () => {
    const given = `client-${randomUUID()}`;

    const kept = await stack.post('query Echo { categories { id } }', { 'x-request-id': given });
    const replaced = await stack.post('query Echo { categories { id } }', {
      'x-request-id': 'not an id; rm -rf',
    });

    expect(kept.headers.get('x-request-id')).toBe(given);
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unexpected failure with a generic INTERNAL_SERVER_ERROR carrying the id it logged', async () => {
    const requestId = `fail-${randomUUID()}`;

    const { headers, body } = await stack.post('query WhoAmI { me { id } }', {
      'x-request-id': requestId,
    });

    expect(headers.get('x-request-id')).toBe(requestId);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      }),
    ]);
    expect(stack.routerLog).toContainEqual(
      expect.objectContaining({ msg: 'unexpected error', requestId, err: expect.anything() }),
    );
  });
});
