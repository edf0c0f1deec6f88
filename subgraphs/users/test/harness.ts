import { randomUUID } from 'node:crypto';
import type { SubgraphConfig } from '@cartograph/shared';
import {
  startSubgraphInProcess,
  subgraphTestRun,
  type SigningKeys,
} from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { hashPassword } from '../src/domain/credentials.js';
import type { PasswordHashGateOptions } from '../src/domain/password-hash-gate.js';
import { createUsersService, type UsersConfig } from '../src/service.js';
import { graphql } from './__generated__/gql.js';

/** bcrypt's lowest cost: the tests check behaviour, not hashing time. */
const bcryptCost = 4;

/** Short enough for a test to wait out. */
export const loginLockoutSeconds = 2;

export const maxLoginFailures = 10;

export interface UsersSubgraphOptions {
  /** Another Redis than the shared one, e.g. a private one a test stops. */
  redisUrl?: string;
  /** Another database than the run's, e.g. one nobody answers at. */
  databaseUrl?: string;
  bcryptCost?: number;
  /** Requires the router's signature on every request, as production does. */
  internalSecret?: string;
  /** Where to listen; 0.0.0.0 lets a test come from a non-loopback address. */
  host?: string;
  loginFailuresPerAddress?: number;
  registrationsPerAddress?: number;
  passwordHashing?: Partial<PasswordHashGateOptions>;
  reuseGraceSeconds?: number;
}

/**
 * The users subgraph's settings for tests on top of the shared ones, with the run's keys. The limits every test file shares one address under (127.0.0.1) are far above what a
 * file sends, unless a test asks for its own.
 */
export function testUsersConfig(
  config: SubgraphConfig,
  keys: SigningKeys,
  options: UsersSubgraphOptions = {},
): UsersConfig {
  return {
    ...config,
    host: options.host ?? config.host,
    databaseUrl: options.databaseUrl ?? config.databaseUrl,
    redisUrl: options.redisUrl ?? config.redisUrl,
    http: { ...config.http, internalSecret: options.internalSecret },
    privateKeyPem: keys.privateKeyPem,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlDays: 30,
    reuseGraceSeconds: options.reuseGraceSeconds ?? 10,
    bcryptCost: options.bcryptCost ?? bcryptCost,
    loginThrottle: {
      maxFailures: maxLoginFailures,
      maxFailuresPerAddress: options.loginFailuresPerAddress ?? 100_000,
      windowSeconds: 900,
      lockoutSeconds: loginLockoutSeconds,
    },
    registrationLimit: {
      maxPerAddress: options.registrationsPerAddress ?? 100_000,
      windowSeconds: 3600,
    },
    passwordHashing: {
      concurrency: 2,
      perAddress: 1000,
      queueLimit: 1000,
      ...options.passwordHashing,
    },
  };
}

/**
 * The users subgraph on a free port over this run's database and Redis prefix, with its own
 * keys. It starts once its Redis answers, so limits count there from the first request.
 */
export async function startUsersSubgraph(options: UsersSubgraphOptions = {}) {
  const { service, ...started } = await startSubgraphInProcess(
    createUsersService,
    subgraphTestRun(inject),
    (config, keys) => testUsersConfig(config, keys, options),
  );
  return { ...started, db: service.db, stop: service.stop };
}

export type UsersSubgraph = Awaited<ReturnType<typeof startUsersSubgraph>>;

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID()}@example.test`;

export const RegisterDocument = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
        email
        name
        role
      }
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
      user {
        id
      }
    }
  }
`);

/** Registers a new customer through the API, from `address` if given, and returns its tokens. */
export async function registerCustomer(
  subgraph: UsersSubgraph,
  name = 'Ada Customer',
  address?: string,
) {
  const email = uniqueEmail();
  const password = `pw-${randomUUID()}`;
  const { data, errors } = await subgraph.request(
    RegisterDocument,
    { input: { email, password, name } },
    { headers: address ? { 'x-forwarded-for': address } : {} },
  );
  if (!data) throw new Error(`register failed: ${JSON.stringify(errors)}`);
  return { ...data.register, email, password };
}

/** Admins are never created through the API: insert one, then log in as any client would. */
export async function createAdmin(subgraph: UsersSubgraph) {
  const email = uniqueEmail('admin');
  const password = `pw-${randomUUID()}`;
  await subgraph.db.user.create({
    data: {
      email,
      name: 'Grace Admin',
      role: 'ADMIN',
      passwordHash: await hashPassword(password, bcryptCost),
    },
  });
  const { data, errors } = await subgraph.request(LoginDocument, { input: { email, password } });
  if (!data) throw new Error(`admin login failed: ${JSON.stringify(errors)}`);
  return { ...data.login, email, password };
}
