import type { Resolvers } from '../__generated__/resolvers-types.js';
import { __Name__Example } from './__Name__Example.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { Query, __Name__Example };
