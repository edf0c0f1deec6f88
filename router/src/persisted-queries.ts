import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import {
  operationNotTrusted,
  sha256,
  trustedDocument,
  type TrustedDocuments,
} from './trusted-documents.js';

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

/**
 * Runs before Apollo's APQ. It refuses a malformed `persistedQuery` extension with a client
 * error (Apollo's own carries no code, so the error masker would call it internal). With
 * trusted documents, a request runs the manifest's text for its document or hash, or nothing;
 * its extension is consumed here, so APQ (off in that mode) can never register a document.
 */
export function persistedQueriesPlugin(trustedDocuments?: TrustedDocuments): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      // `executeOperation` from the WebSocket path: its document was checked when it arrived.
      if (!request.http) return;
      const persisted = request.extensions?.persistedQuery as
        { version?: unknown; sha256Hash?: unknown } | undefined;
      if (persisted && persisted.version !== 1) {
        return refuse(request, badRequest('Unsupported persisted query version'));
      }
      if (
        persisted &&
        request.query !== undefined &&
        persisted.sha256Hash !== sha256(request.query)
      ) {
        return refuse(request, badRequest('provided sha does not match query'));
      }
      if (!trustedDocuments) return;
      const document = trustedDocument(trustedDocuments, request.query, request.extensions);
      if (document === undefined) return refuse(request, operationNotTrusted());
      request.query = document;
      request.extensions = withoutPersistedQuery(request.extensions);
    },
  };
}
