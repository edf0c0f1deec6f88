import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier } from '@cartograph/shared';
import {
  createTestDatabase,
  createTestRedisPrefix,
  freePort,
  startSubgraphInProcess,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductsService } from '../../subgraphs/products/src/service.js';
import { startRouterInProcess } from './in-process.js';

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
  const routerLog: Record<string, unknown>[] = [];
  const database = await createTestDatabase('products');
  const redis = createTestRedisPrefix('tracing');
  const products = await startSubgraphInProcess(createProductsService, {
    databaseUrl: database.url,
    redisPrefix: redis.prefix,
  });
  const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
  const router = await startRouterInProcess({
    subgraphUrls: { products: products.url, users: nowhere, orders: nowhere },
    verifyAccessToken: await createAccessTokenVerifier(
      products.keys.publicKeyPem,
      testTokenSettings,
    ),
    logger: pino(
      { level: 'error' },
      { write: (line: string) => void routerLog.push(JSON.parse(line)) },
    ),
  });
  return {
    exporter,
    routerLog,
    async post(query: string, headers: Record<string, string> = {}) {
      const response = await fetch(router.url, {
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
      await products.service.stop();
      await database.drop();
      await redis.cleanup();
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
