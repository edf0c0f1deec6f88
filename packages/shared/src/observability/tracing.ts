import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';

/**
 * Where Cartograph's own spans come from. Until a provider is registered (see `startTracing`)
 * the API hands out non-recording spans and propagates nothing, so tracing costs a few calls.
 */
export const tracer = trace.getTracer('cartograph');

/**
 * Exports this process's traces over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, propagating W3C trace context; otherwise the SDK
 * is not even loaded. The exporter reads the other standard `OTEL_*` variables (headers,
 * timeout, sampler) itself. Call it first in an entry file; await the result on shutdown to
 * flush the spans still buffered.
 */
export async function startTracing(service: string): Promise<() => Promise<void>> {
  const env = process.env;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    return async () => undefined;
  }
  const [sdk, otlp, resources, core] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const provider = new sdk.NodeTracerProvider({
    resource: resources
      .defaultResource()
      .merge(
        resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? service }),
      ),
    spanProcessors: [new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter())],
  });
  provider.register({ propagator: new core.W3CTraceContextPropagator() });
  return () => provider.shutdown();
}

async function endWith<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs one incoming GraphQL request in a server span, named and described once its operation is
 * known, continuing the caller's trace when its `traceparent` header carries one.
 */
export function inServerSpan<T>(
  headers: IncomingHttpHeaders,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer.startActiveSpan('graphql.operation', { kind: SpanKind.SERVER }, parent, (span) =>
    endWith(span, work),
  );
}

/** Runs an outgoing call in a client span, whose context `headers` then carry on. */
export function inClientSpan<T>(
  name: string,
  headers: Record<string, string>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT }, (span) => {
    propagation.inject(context.active(), headers);
    return endWith(span, work);
  });
}
