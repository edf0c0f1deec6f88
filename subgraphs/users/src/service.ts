import {
  accessTokenAlgorithm,
  createInternalVerifier,
  createSubgraphBase,
  type SubgraphConfig,
} from '@cartograph/shared';
import { importPKCS8 } from 'jose';
import { requestContext, type Deps } from './context.js';
import { createDb } from './data/db.js';
import { createLoaders } from './data/loaders.js';
import { createLoginThrottle, type LoginThrottleOptions } from './domain/login-throttle.js';
import {
  createPasswordHashGate,
  type PasswordHashGateOptions,
} from './domain/password-hash-gate.js';
import { createRegistrationLimit } from './domain/registration-limit.js';
import { resolvers } from './resolvers/index.js';

export interface UsersConfig extends SubgraphConfig {
  /** Signs access tokens (PEM); only this subgraph holds it. `publicKeyPem` is its other half. */
  privateKeyPem: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** How long a rotated refresh token still gets the successor it was exchanged for. */
  reuseGraceSeconds: number;
  bcryptCost: number;
  loginThrottle: Omit<LoginThrottleOptions, 'redis' | 'prefix' | 'logger'>;
  registrationLimit: { maxPerAddress: number; windowSeconds: number };
  passwordHashing: PasswordHashGateOptions;
}

/**
 * The users subgraph, built from its configuration without listening: `index.ts` starts it from
 * the environment, tests from their own settings. Its limits (login throttle, registrations)
 * count in Redis on the service's own connection.
 */
export async function createUsersService(config: UsersConfig) {
  const base = await createSubgraphBase('users', config, createDb);
  const prefix = config.redisPrefix;
  const deps = {
    db: base.db,
    sessions: {
      ...config.tokens,
      signingKey: await importPKCS8(config.privateKeyPem, accessTokenAlgorithm),
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlDays: config.refreshTokenTtlDays,
      reuseGraceSeconds: config.reuseGraceSeconds,
    },
    bcryptCost: config.bcryptCost,
    loginThrottle: createLoginThrottle({
      ...config.loginThrottle,
      redis: base.redis,
      prefix,
      logger: base.logger,
    }),
    registrationLimit: createRegistrationLimit({
      ...config.registrationLimit,
      redis: base.redis,
      prefix,
    }),
    passwordHashGate: createPasswordHashGate(config.passwordHashing),
  } satisfies Deps;
  // The client's address comes from X-Forwarded-For only on requests the router signed.
  const fromRouter = config.http.internalSecret
    ? createInternalVerifier(config.http.internalSecret)
    : undefined;
  return base.serve({
    schema: new URL('../schema.graphql', import.meta.url),
    resolvers,
    deps,
    loaders: createLoaders,
    perRequest: (req) => requestContext(req, fromRouter),
  });
}
