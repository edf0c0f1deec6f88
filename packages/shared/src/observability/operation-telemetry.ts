import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { attributeErrors, clientFacingCode } from '../graphql/errors.js';
import { requestIdHeader } from '../server/request-id.js';
import type { Metrics } from './metrics.js';

/**
 * The longest operation name used as a label or span name. A gateway's fetch to a subgraph is
 * named after the client's operation plus `__<subgraph>__<n>`, so this leaves room for both.
 */
export const maxOperationNameLength = 128;

/** A GraphQL name (hence printable ASCII) no longer than the limit; anything else is not a label. */
const labelName = new RegExp(`^[_A-Za-z][_0-9A-Za-z]{0,${maxOperationNameLength - 1}}$`);

/**
 * Per GraphQL operation: Prometheus counts, errors by the code clients saw, latency, and the
 * name and type on the request's server span (see `inServerSpan`). It also ties the request's
 * errors to its id for the error masker. Operation names come from clients, so a label is
 * bounded in number and size: only the first `maxOperationNames` names of at most
 * `maxOperationNameLength` characters become labels, the rest count as "other"; anonymous
 * operations count as "anonymous", and what never resolved to an operation (unparsable,
 * invalid) as "invalid". `/metrics` thus stays within a few hundred kilobytes.
 */
export function operationTelemetry(
  metrics: Metrics,
  maxOperationNames = 200,
): ApolloServerPlugin<BaseContext> {
  const named = new Set<string>();
  const labelFor = (name: string | null) => {
    if (!name) return 'anonymous';
    if (named.has(name)) return name;
    if (named.size >= maxOperationNames || !labelName.test(name)) return 'other';
    named.add(name);
    return name;
  };

  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      // The router's operations over WebSocket come with no HTTP request, their id in context.
      const { requestId: ownId } = contextValue as { requestId?: unknown };
      const requestId =
        request.http?.headers.get(requestIdHeader) ??
        (typeof ownId === 'string' ? ownId : randomUUID());
      const span = trace.getActiveSpan();
      span?.setAttribute('cartograph.request_id', requestId);
      const labels = { operation: 'invalid', type: 'unknown' };
      return {
        async didResolveOperation({ operationName, operation }) {
          labels.operation = labelFor(operationName);
          labels.type = operation?.operation ?? 'unknown';
          const name = operationName?.slice(0, maxOperationNameLength);
          span?.updateName(`graphql.operation ${name ?? 'anonymous'}`);
          span?.setAttributes({
            'graphql.operation.name': name ?? '',
            'graphql.operation.type': labels.type,
          });
        },
        async didEncounterErrors({ errors }) {
          attributeErrors(errors, requestId);
        },
        async willSendResponse({ response }) {
          metrics.graphqlRequests.inc(labels);
          metrics.graphqlDuration.observe(labels, (performance.now() - started) / 1000);
          const body = response.body;
          const errors =
            (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
          let failed = false;
          for (const error of errors) {
            const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            metrics.graphqlErrors.inc({ code });
            failed ||= code === 'INTERNAL_SERVER_ERROR';
          }
          // Client mistakes are answers; only the server's own failures mark the span.
          if (failed) span?.setStatus({ code: SpanStatusCode.ERROR });
        },
      };
    },
    // Refused before any operation ran: an invalid token or too many requests at the door.
    async contextCreationDidFail({ error }) {
      metrics.graphqlErrors.inc({
        code: clientFacingCode(error instanceof GraphQLError ? error.extensions.code : undefined),
      });
    },
    async invalidRequestWasReceived() {
      metrics.graphqlErrors.inc({ code: 'BAD_REQUEST' });
    },
  };
}
