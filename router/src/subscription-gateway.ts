import { operationFromDocument, type Supergraph } from '@apollo/federation-internals';
import {
  buildOperationContext,
  executeQueryPlan,
  type GraphQLDataSource,
  type ServiceMap,
} from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type QueryPlan } from '@apollo/query-planner';
import type {
  GatewayGraphQLRequestContext,
  GatewaySchemaHash,
} from '@apollo/server-gateway-interface';
import { mapStream, type Logger, type OperationArgs } from '@cartograph/shared';
import { GraphQLError, print, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { RouterContext } from './context.js';
import type { UpstreamSubscriptions } from './upstream-subscriptions.js';

/** The fetch that stands in for the subgraph event each time the rest of the plan runs. */
const eventSource = '__subscription_event__';

/** A request context's cache, which nothing on the subscription path uses. */
const noCache: GatewayGraphQLRequestContext['cache'] = {
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => undefined,
};

/**
 * Subscriptions through the supergraph, which @apollo/gateway does not execute. The query
 * planner plans them as for any operation: a primary fetch, the subscription itself, to the
 * subgraph that owns the field, then the rest of the plan. The primary runs as a graphql-ws
 * subscription to that subgraph; each event it yields runs the rest through the gateway's own
 * executor, as if the primary fetch had just returned it. A field added to any subgraph works
 * in a subscription without a line here.
 */
export function createSubscriptionGateway(options: {
  supergraph: Supergraph;
  /** Every subgraph's data source, by name: the same ones the gateway fetches through. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<RouterContext>>;
  upstream: UpstreamSubscriptions;
  logger: Logger;
}) {
  const { supergraph, upstream, logger } = options;
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const services: ServiceMap = Object.fromEntries(options.dataSources);
  // Keyed by the printed document, which a string literal can make as large as a message:
  // bounded by size as well as count. A plan is about as large as its document.
  const plans = new LRUCache<string, QueryPlan>({
    max: 2000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (_plan, key) => 2 * key.length,
  });

  function planFor(args: OperationArgs<RouterContext>, key: string): QueryPlan {
    let plan = plans.get(key);
    if (!plan) {
      const operation = operationFromDocument(apiSchema, args.document, {
        operationName: args.operationName ?? undefined,
      });
      plan = planner.buildQueryPlan(operation);
      plans.set(key, plan);
    }
    return plan;
  }

  /** Runs the plan after the primary fetch, with `event` as what the primary fetch returned. */
  async function completeEvent(
    plan: QueryPlan,
    requestContext: GatewayGraphQLRequestContext<RouterContext>,
    operationContext: ReturnType<typeof buildOperationContext>,
    event: FormattedExecutionResult,
  ): Promise<ExecutionResult> {
    const stub: GraphQLDataSource<RouterContext> = { process: async () => event };
    return executeQueryPlan(
      plan,
      { ...services, [eventSource]: stub },
      // Fresh metrics per event: the executor adds to them.
      { ...requestContext, metrics: {} },
      operationContext,
      supergraphSchema,
      apiSchema,
    );
  }

  return {
    /** The client-facing schema subscriptions are validated against. */
    schema,
    subscribe(
      args: OperationArgs<RouterContext>,
    ): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
      const query = print(args.document);
      const key = `${args.operationName ?? ''}|${query}`;
      const plan = planFor(args, key);
      if (plan.node?.kind !== 'Subscription') {
        return {
          errors: [new GraphQLError('Not a subscription', { extensions: { code: 'BAD_REQUEST' } })],
        };
      }
      const { primary, rest } = plan.node;
      const variables = Object.fromEntries(
        (primary.variableUsages ?? []).map((name) => [name, args.variableValues?.[name]]),
      );
      const context = args.contextValue;
      const events = upstream.subscribe(primary.serviceName, {
        query: primary.operation,
        variables,
        operationName: primary.operationName,
        // Undefined values vanish on the wire; the subgraph takes the id for its operation.
        extensions: { authorization: context.authorization, requestId: context.requestId },
      });
      // The same for every event of this subscription: built once, not per event.
      const fetch: FetchNode = { ...primary, serviceName: eventSource };
      const eventPlan: QueryPlan = {
        kind: 'QueryPlan',
        node: rest ? { kind: 'Sequence', nodes: [fetch, rest] } : fetch,
      };
      const operationContext = buildOperationContext({
        schema,
        operationDocument: args.document,
        operationName: args.operationName ?? undefined,
      });
      const requestContext: GatewayGraphQLRequestContext<RouterContext> = {
        request: {
          query,
          variables: args.variableValues ?? {},
          operationName: args.operationName ?? undefined,
        },
        context,
        logger,
        schema,
        document: args.document,
        source: query,
        operation: operationContext.operation,
        operationName: args.operationName ?? null,
        metrics: {},
        // Apollo Server's own, which the executor never reads: placeholders, as Apollo's
        // `makeGatewayGraphQLRequestContext` gives for the schema hash itself.
        schemaHash: '' as GatewaySchemaHash,
        queryHash: '',
        cache: noCache,
        overallCachePolicy: undefined,
      };
      return mapStream(events, (event) => {
        if (!event.data) {
          const errors = (event.errors ?? []).map(
            (error) =>
              new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
          );
          return { errors };
        }
        return completeEvent(eventPlan, requestContext, operationContext, event);
      });
    },
  };
}

export type SubscriptionGateway = ReturnType<typeof createSubscriptionGateway>;
