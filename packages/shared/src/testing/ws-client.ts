import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriptionClientOptions {
  token?: string;
  /** Send the token with each operation (as the router does) rather than in connection_init. */
  tokenPerOperation?: boolean;
}

export interface TestSubscription<TData> {
  /** The next event, or the error that ended the subscription; fails after `timeoutMs`. */
  next(timeoutMs?: number): Promise<FormattedExecutionResult<TData, unknown>>;
  /** Whether the subscription has ended (completed or failed). */
  readonly ended: boolean;
  unsubscribe(): Promise<void>;
}

/** A real graphql-ws client (the graphql-transport-ws protocol) for tests, on Node's `ws`. */
export function createSubscriptionClient(url: string, options: SubscriptionClientOptions = {}) {
  const authorization = options.token ? `Bearer ${options.token}` : undefined;
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: authorization && !options.tokenPerOperation ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });

  function subscribe<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
  ): TestSubscription<TData> {
    const iterator = client.iterate<TData>({
      query: print(document),
      variables,
      ...(authorization && options.tokenPerOperation && { extensions: { authorization } }),
    });
    let ended = false;
    // A read that timed out stays pending; the next call waits on it, so no event is dropped.
    let pending: Promise<IteratorResult<FormattedExecutionResult<TData, unknown>>> | undefined;
    return {
      get ended() {
        return ended;
      },
      async next(timeoutMs = 10_000) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          pending ??= iterator.next();
          const result = await Promise.race([pending, timeout]);
          pending = undefined;
          if (result.done) {
            ended = true;
            throw new Error('subscription completed');
          }
          return result.value;
        } catch (error) {
          if (!(error instanceof Error && error.message.startsWith('no event within'))) {
            ended = true;
            pending = undefined;
          }
          throw error;
        } finally {
          clearTimeout(timer);
        }
      },
      async unsubscribe() {
        ended = true;
        await iterator.return?.();
      },
    };
  }

  return { subscribe, dispose: () => client.dispose() };
}

export type SubscriptionClient = ReturnType<typeof createSubscriptionClient>;
