import { randomUUID } from 'node:crypto';
import {
  accessTokenAlgorithm,
  createAccessTokenVerifier,
  createLogger,
  createMetrics,
  createRedis,
  listen,
} from '@cartograph/shared';
import {
  createGraphQLClient,
  generateSigningKeys,
  testRedisUrl,
  testTokenSettings,
} from '@cartograph/shared/testing';
import { importPKCS8 } from 'jose';
import { inject } from 'vitest';
import { createDb } from '../src/data/db.js';
import { hashPassword } from '../src/domain/credentials.js';
import { createLoginThrottle } from '../src/domain/login-throttle.js';
import { createServer } from '../src/server.js';
import { graphql } from './__generated__/gql.js';

/** bcrypt's lowest cost: the tests check behaviour, not hashing time. */
const bcryptCost = 4;

/** Short enough for a test to wait out. */
export const loginLockoutSeconds = 2;

/**
 * The users subgraph on a free port over this run's database and Redis prefix, with its own
 * keys.
 */
export async function startUsersSubgraph() {
  const keys = generateSigningKeys();
  const logger = createLogger('users', process.env.TEST_LOG_LEVEL ?? 'silent');
  const db = createDb(inject('usersDatabaseUrl'));
  const redis = createRedis(testRedisUrl, logger, 'users-login-throttle');
  const { apollo, httpServer } = createServer({
    deps: {
      db,
      verifyAccessToken: await createAccessTokenVerifier(keys.publicKeyPem, testTokenSettings),
      sessions: {
        ...testTokenSettings,
        signingKey: await importPKCS8(keys.privateKeyPem, accessTokenAlgorithm),
        accessTokenTtlSeconds: 900,
        refreshTokenTtlDays: 30,
      },
      bcryptCost,
      loginThrottle: createLoginThrottle({
        redis,
        prefix: inject('redisPrefix'),
        logger,
        maxFailures: 10,
        windowSeconds: 900,
        lockoutSeconds: loginLockoutSeconds,
      }),
    },
    logger,
    metrics: createMetrics('users'),
    production: false,
    corsOrigins: '*',
  });
  await apollo.start();
  const port = await listen(httpServer, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    request: createGraphQLClient(`http://127.0.0.1:${port}/graphql`),
    db,
    keys,
    stop: async () => {
      await apollo.stop();
      await db.$disconnect();
      await redis.quit();
    },
  };
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

/** Registers a new customer through the API and returns its tokens. */
export async function registerCustomer(subgraph: UsersSubgraph, name = 'Ada Customer') {
  const email = uniqueEmail();
  const password = `pw-${randomUUID()}`;
  const { data, errors } = await subgraph.request(RegisterDocument, {
    input: { email, password, name },
  });
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
