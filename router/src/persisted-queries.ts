import type { ApolloServerPlugin, GraphQLRequest, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RouterContext } from './context.js';
import {
  operationNotTrusted,
  sha256,
  trustedDocument,
  type TrustedDocuments,
} from './trusted-documents.js';

const sha256Hex = /^[0-9a-f]{64}$/i;

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/**
 * Apollo Server answers a plugin's error cleanly only from `didResolveOperation` on; thrown any
 * earlier, it becomes a 500. So a refused request's text is swapped for a stub: what the client
 * sent is never parsed or validated (nor described back in validation errors), and the stub's
 * `didResolveOperation` reports why.
 */
function refuse(request: GraphQLRequest, error: GraphQLError) {
  request.query = '{ __typename }';
  request.operationName = undefined;
  request.extensions = withoutPersistedQuery(request.extensions);
  return {
    async didResolveOperation() {
      throw error;
    },
  };
}

function withoutPersistedQuery(extensions: GraphQLRequest['extensions']) {
  if (!extensions?.persistedQuery) return extensions;
  const { persistedQuery: _consumed, ...rest } = extensions;
  return rest;
}

/** What may be stored by APQ: see `apqRegistrationLimits`. */
export interface RegistrationLimits {
  maxBytes: number;
  /** Counts one registration from this address; false when it is one too many. */
  admit(address: string): Promise<boolean>;
}

/**
 * A registration (a query sent with its hash) that is too large, or one too many from its
 * address, runs but is not stored. Refusing it with an error instead would fail the client's
 * query; this way a client such as Apollo Client's persisted-queries link notices nothing:
 * its next hash-only request gets PERSISTED_QUERY_NOT_FOUND and it sends the full text again,
 * as it does for any query the router has forgotten.
 */
function registrationGuard(
  limits: RegistrationLimits,
  query: string,
  address: string,
): GraphQLRequestListener<RouterContext> {
  return {
    // Apollo registers after this hook, and only if `persistedQueryRegister` is still set.
    async didResolveOperation({ metrics }) {
      if (!metrics.persistedQueryRegister) return;
      if (Buffer.byteLength(query) > limits.maxBytes || !(await limits.admit(address))) {
        metrics.persistedQueryRegister = false;
      }
    },
  };
}

/**
 * Runs before Apollo's APQ. It refuses a malformed `persistedQuery` extension with a client
 * error (Apollo's own carries no code, so the error masker would call it internal), and bounds
 * what APQ stores (`registrations`). With trusted documents, a request runs the manifest's text
 * for its document or hash, or nothing; its extension is consumed here, so APQ (off in that
 * mode) can never register a document.
 */
export function persistedQueriesPlugin(
  trustedDocuments?: TrustedDocuments,
  registrations?: RegistrationLimits,
): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      // `executeOperation` from the WebSocket path: its document was checked when it arrived.
      if (!request.http) return;
      const persisted = request.extensions?.persistedQuery as
        { version?: unknown; sha256Hash?: unknown } | undefined;
      if (persisted && persisted.version !== 1) {
        return refuse(request, badRequest('Unsupported persisted query version'));
      }
      // Anything else would be looked up in Redis as it came, whatever its size.
      if (persisted && !sha256Hex.test(String(persisted.sha256Hash))) {
        return refuse(request, badRequest('persistedQuery.sha256Hash must be a hex SHA-256'));
      }
      if (
        persisted &&
        request.query !== undefined &&
        persisted.sha256Hash !== sha256(request.query)
      ) {
        return refuse(request, badRequest('provided sha does not match query'));
      }
      if (!trustedDocuments) {
        return persisted && request.query !== undefined && registrations
          ? registrationGuard(registrations, request.query, contextValue.clientAddress ?? 'unknown')
          : undefined;
      }
      const document = trustedDocument(trustedDocuments, request.query, request.extensions);
      if (document === undefined) return refuse(request, operationNotTrusted());
      request.query = document;
      request.extensions = withoutPersistedQuery(request.extensions);
    },
  };
}
