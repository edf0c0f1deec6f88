import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type QueryPlan } from '@apollo/query-planner';
import { mapStream, type Logger } from '@cartograph/shared';
import {
  GraphQLError,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { RouterContext } from './context.js';
import type { UpstreamSubscriptions } from './upstream-subscriptions.js';

/** The fetch that stands in for the subgraph event each time the rest of the plan runs. */
const eventSource = '__subscription_event__';

/**
 * Subscriptions through the supergraph, which @apollo/gateway does not execute. The query
 * planner plans them as for any operation: a primary fetch, the subscription itself, to the
 * subgraph that owns the field, then the rest of the plan. The primary runs as a graphql-ws
 * subscription to that subgraph; each event it yields runs the rest through the gateway's own
 * executor, as if the primary fetch had just returned it. A field added to any subgraph works
 * in a subscription without a line here.
 */
export function createSubscriptionGateway(options: {
  supergraphSdl: string;
  dataSources: ReadonlyMap<string, GraphQLDataSource<RouterContext>>;
  upstream: UpstreamSubscriptions;
  logger: Logger;
}) {
  const { dataSources, upstream, logger } = options;
  const supergraph = Supergraph.build(options.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  // Keyed by the printed document, which a string literal can make as large as a message:
  // bounded by size as well as count. A plan is about as large as its document.
  const plans = new LRUCache<string, QueryPlan>({
    max: 2000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (_plan, key) => 2 * key.length,
  });

  function planFor(args: ExecutionArgs, key: string): QueryPlan {
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
    args: ExecutionArgs,
    key: string,
    plan: QueryPlan,
    operationContext: ReturnType<typeof buildOperationContext>,
    event: FormattedExecutionResult,
  ) {
    const stub: GraphQLDataSource<RouterContext> = { process: async () => event as never };
    const requestContext = {
      request: {
        query: key,
        variables: args.variableValues ?? {},
        operationName: args.operationName ?? undefined,
      },
      document: args.document,
      context: args.contextValue,
      logger,
      metrics: {},
      operationName: args.operationName ?? null,
    };
    const result = await executeQueryPlan(
      plan,
      { ...Object.fromEntries(dataSources), [eventSource]: stub },
      requestContext as never,
      operationContext,
      supergraphSchema,
      apiSchema,
    );
    return result as ExecutionResult;
  }

  return {
    /** The client-facing schema subscriptions are validated against. */
    schema,
    subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
      const key = `${args.operationName ?? ''}|${print(args.document)}`;
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
      const { authorization, requestId } = args.contextValue as RouterContext;
      const events = upstream.subscribe(primary.serviceName, {
        query: primary.operation,
        variables,
        operationName: primary.operationName,
        // Undefined values vanish on the wire; the subgraph takes the id for its operation.
        extensions: { authorization, requestId },
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
      return mapStream(events, (event) => {
        if (!event.data) {
          const errors = (event.errors ?? []).map(
            (error) =>
              new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
          );
          return { errors };
        }
        return completeEvent(args, key, eventPlan, operationContext, event);
      });
    },
  };
}

export type SubscriptionGateway = ReturnType<typeof createSubscriptionGateway>;
