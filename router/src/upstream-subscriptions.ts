import { EventQueue, type Logger } from '@cartograph/shared';
import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import type { Gauge } from 'prom-client';
import WebSocket from 'ws';

export interface UpstreamOptions {
  /** The subgraph's HTTP URL by name; its WebSocket URL is the same with ws(s):. */
  urlOf: (subgraph: string) => string;
  logger: Logger;
  /** Events one subscription may have waiting for its client before it is ended. */
  queueLimit: number;
  /** Reconnection attempts after a subgraph goes away, before its subscriptions end. */
  retryAttempts: number;
  /** Subscriptions one connection carries: the subgraphs' per-connection cap. */
  perConnection: number;
  /**
   * The largest message a subgraph reads (twice MAX_REQUEST_BYTES): a larger one would close the
   * whole shared connection (1009), so it fails its own operation here instead.
   */
  maxOutgoingBytes?: number;
  /** The largest event the router reads from a subgraph. */
  maxIncomingBytes?: number;
  /** Sent with `connection_init`: the router's signature, where subgraphs require it. */
  connectionParams?: () => Record<string, unknown>;
  /** Subscriptions held upstream, and open connections to subgraphs. */
  gauges: { subscriptions: Gauge; connections: Gauge };
}

const unavailable = () =>
  new GraphQLError('A service this subscription depends on is unavailable; subscribe again later', {
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });

/** The `subscribe` message's envelope around its payload, with room to spare. */
const envelopeBytes = 1024;

/** A subscription too large for the subgraph: it ends at once, and never reaches the subgraph. */
function tooLargeToForward() {
  const queue = new EventQueue<FormattedExecutionResult>(1);
  queue.push({
    errors: [
      {
        message: 'This subscription is too large to forward',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  });
  queue.end();
  return queue;
}

/** `ws` with a bound on what it reads per message (its default is 100 MiB). */
const boundedWebSocket = (maxPayload: number | undefined) =>
  maxPayload === undefined
    ? WebSocket
    : class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { maxPayload });
        }
      };

const tooSlow = () =>
  new GraphQLError('Events came faster than this client read them; subscribe again', {
    extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
  });

/**
 * The router's subscriptions to subgraphs over graphql-ws. Clients' subscriptions to one
 * subgraph share a few connections; each operation carries its client's token (in `extensions`),
 * which the subgraph verifies, so a connection is not tied to a user. A subgraph that restarts
 * gets every live subscription sent again (each emits current state first); one that stays away
 * past the retries ends them with SERVICE_UNAVAILABLE. The connection closes once the last
 * subscription on it ends.
 */
export function createUpstreamSubscriptions(options: UpstreamOptions) {
  const { logger } = options;
  const { subscriptions: gauge, connections } = options.gauges;
  /** Per subgraph, its connections and how many subscriptions each carries. */
  const pools = new Map<string, { client: Client; active: number }[]>();

  function connect(subgraph: string): Client {
    const url = options.urlOf(subgraph).replace(/^http/, 'ws');
    let open = false;
    return createClient({
      url,
      webSocketImpl: boundedWebSocket(options.maxIncomingBytes),
      lazy: true,
      lazyCloseTimeout: 1000,
      keepAlive: 10_000,
      retryAttempts: options.retryAttempts,
      shouldRetry: () => true,
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 5000))),
      connectionParams: options.connectionParams,
      on: {
        connected: () => {
          open = true;
          connections.inc();
        },
        closed: (event) => {
          if (open) connections.dec();
          open = false;
          logger.debug(
            { subgraph, code: (event as { code?: number }).code },
            'subgraph connection closed',
          );
        },
      },
    });
  }

  /**
   * A connection with room for one more subscription: subgraphs cap operations per connection,
   * so thousands of clients spread over as many connections as that cap needs. An idle
   * connection closes by itself (lazy) and reopens when used again.
   */
  function connectionFor(subgraph: string) {
    let pool = pools.get(subgraph);
    if (!pool) pools.set(subgraph, (pool = []));
    let slot = pool.find((candidate) => candidate.active < options.perConnection);
    if (!slot) pool.push((slot = { client: connect(subgraph), active: 0 }));
    return slot;
  }

  return {
    /** A bounded queue of the subgraph's events for one operation; `return()` unsubscribes. */
    subscribe(subgraph: string, payload: SubscribePayload): EventQueue<FormattedExecutionResult> {
      if (
        options.maxOutgoingBytes !== undefined &&
        Buffer.byteLength(JSON.stringify(payload)) + envelopeBytes > options.maxOutgoingBytes
      ) {
        return tooLargeToForward();
      }
      let unsubscribe: () => void = () => undefined;
      const slot = connectionFor(subgraph);
      const queue = new EventQueue<FormattedExecutionResult>(
        options.queueLimit,
        () => {
          gauge.dec();
          slot.active -= 1;
          unsubscribe();
        },
        tooSlow,
      );
      gauge.inc();
      slot.active += 1;
      unsubscribe = slot.client.subscribe(payload, {
        next: (result) => queue.push(result as FormattedExecutionResult),
        error: (error) => {
          if (Array.isArray(error)) queue.push({ errors: error });
          else {
            logger.warn({ subgraph, err: error }, 'subgraph subscription lost');
            queue.fail(unavailable());
          }
          queue.end();
        },
        complete: () => queue.end(),
      });
      return queue;
    },
    async dispose() {
      const all = [...pools.values()].flat();
      pools.clear();
      await Promise.all(all.map(({ client }) => client.dispose()));
    },
  };
}

export type UpstreamSubscriptions = ReturnType<typeof createUpstreamSubscriptions>;
