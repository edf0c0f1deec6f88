import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode } from 'graphql';
import { badInput } from './errors.js';

const nul = '\u0000';

/** Whether any string in a JSON value holds NUL; iterative, so no nesting depth can overflow. */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes(nul)) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) pending.push(key, item);
    }
  }
  return false;
}

/** Whether an operation carries NUL, in a string literal of its document or in its variables. */
export function operationContainsNul(document: DocumentNode, variables: unknown) {
  return containsNul(variables) || documentContainsNul(document);
}

function documentContainsNul(document: DocumentNode) {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes(nul)) found = true;
    },
  });
  return found;
}

/**
 * Postgres text cannot hold NUL (U+0000), so a string carrying one would fail deep in a driver
 * as an internal error. Every service refuses such operations up front, as BAD_USER_INPUT.
 */
export const rejectNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        if (operationContainsNul(document, request.variables)) {
          throw badInput('input', 'text must not contain the NUL character (U+0000)');
        }
      },
    };
  },
};
