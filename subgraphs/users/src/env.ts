import { createPublicKey } from 'node:crypto';
import {
  baseEnv,
  loadEnv as parse,
  portVar,
  readPem,
  subgraphConfigFromEnv,
} from '@cartograph/shared';
import { z } from 'zod';
import type { UsersConfig } from './service.js';

const schema = z.object({
  ...baseEnv,
  USERS_PORT: portVar(4001),
  USERS_DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/cartograph_users'),
  /** The private key that signs access tokens; only this subgraph holds it. */
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PRIVATE_KEY_FILE: z.string().optional(),
  /** The contract caps access tokens at 15 minutes. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /**
   * How long a rotated refresh token still gets the successor it was exchanged for (two tabs
   * refreshing at once, a retried request); past it, reuse revokes the family. 0 turns it off.
   */
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Failed logins for one email from one address before further attempts are refused. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  /** Failures count within this window, from the first one; older runs are forgotten. */
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How long a locked-out email+address (or address) is refused, password unchecked. */
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Failed logins from one address, whatever the emails, within the failure window. */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Registrations from one address per registration window. */
  REGISTRATIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  REGISTRATION_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  /** bcrypt hashes or comparisons running at once in this process (one thread each). */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Of those, running or waiting, at most this many for one client address. */
  PASSWORD_HASH_PER_ADDRESS: z.coerce.number().int().min(1).max(64).default(2),
  /** Hashes that may wait for a thread; past it, RATE_LIMITED instead of a longer line. */
  PASSWORD_HASH_QUEUE_LIMIT: z.coerce.number().int().min(0).max(10_000).default(16),
});

export type Env = z.output<typeof schema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env => parse(schema, source);

/**
 * The service's configuration from its environment: what `createUsersService` takes. Its public
 * key is derived from the private one, so the two always match.
 */
export function usersConfigFromEnv(env: Env): UsersConfig {
  const privateKeyPem = readPem(env.JWT_PRIVATE_KEY, env.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY');
  return {
    ...subgraphConfigFromEnv(env, {
      port: env.USERS_PORT,
      databaseUrl: env.USERS_DATABASE_URL,
      publicKeyPem: createPublicKey(privateKeyPem)
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    }),
    privateKeyPem,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    reuseGraceSeconds: env.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    bcryptCost: env.BCRYPT_COST,
    loginThrottle: {
      maxFailures: env.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: env.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: env.LOGIN_LOCKOUT_SECONDS,
    },
    registrationLimit: {
      maxPerAddress: env.REGISTRATIONS_PER_ADDRESS,
      windowSeconds: env.REGISTRATION_WINDOW_SECONDS,
    },
    passwordHashing: {
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      perAddress: env.PASSWORD_HASH_PER_ADDRESS,
      queueLimit: env.PASSWORD_HASH_QUEUE_LIMIT,
    },
  };
}
