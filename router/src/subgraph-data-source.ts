import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type {
  GatewayGraphQLRequest,
  GatewayGraphQLResponse,
} from '@apollo/server-gateway-interface';
import { inClientSpan, internalHeader, requestIdHeader } from '@cartograph/shared';
import type { Span } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import type { RouterContext } from './context.js';

export interface SubgraphPoolOptions {
  connections: number;
  timeoutMs: number;
  /** The largest body the router reads from a subgraph; undici fails the fetch past it. */
  maxResponseBytes?: number;
}

/**
 * Sends the gateway's subgraph fetches over a keep-alive undici pool. The gateway's default
 * data source builds node-fetch Request and Headers objects and goes through make-fetch-happen
 * on every fetch; this one serializes the body and writes it to a warm connection.
 */
export class SubgraphDataSource implements GraphQLDataSource<RouterContext> {
  readonly pool: Pool;
  private readonly path: string;

  constructor(
    readonly name: string,
    readonly url: string,
    options: SubgraphPoolOptions,
    /** The router's signature for each request, when subgraphs require one. */
    private readonly signature?: () => string,
  ) {
    const target = new URL(url);
    this.path = `${target.pathname}${target.search}`;
    this.pool = new Pool(target.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      maxResponseSize: options.maxResponseBytes ?? -1,
    });
  }

  async process({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (context.authorization) headers.authorization = context.authorization;
    if (context.clientAddress) headers['x-forwarded-for'] = context.clientAddress;
    if (this.signature) headers[internalHeader] = this.signature();
    if (context.requestId) headers[requestIdHeader] = context.requestId;
    // The span's context travels in `traceparent`: the subgraph's span is this one's child.
    return inClientSpan(`subgraph ${this.name}`, headers, (span) =>
      this.send(request, headers, span),
    );
  }

  private async send(
    request: GatewayGraphQLRequest,
    headers: Record<string, string>,
    span: Span,
  ): Promise<GatewayGraphQLResponse> {
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers,
      body: JSON.stringify({
        query: request.query,
        variables: request.variables,
        operationName: request.operationName,
      }),
    });
    span.setAttribute('http.response.status_code', response.statusCode);
    const text = await response.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || !('data' in body || 'errors' in body)) {
      // The router's error masking keeps the details out of the client's sight.
      throw new GraphQLError(
        `Subgraph ${this.name} answered HTTP ${response.statusCode} without a GraphQL body`,
      );
    }
    return body as GatewayGraphQLResponse;
  }

  /** Whether the subgraph answers its readiness probe. */
  async ready(): Promise<void> {
    const response = await this.pool.request({
      path: '/ready',
      method: 'GET',
      headersTimeout: 2000,
    });
    await response.body.dump();
    if (response.statusCode !== 200)
      throw new Error(`${this.name} is not ready (${response.statusCode})`);
  }

  close() {
    return this.pool.close();
  }
}
