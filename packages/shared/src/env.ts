import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { operationLimitsEnv, operationLimitsFromEnv } from './graphql/operation-limits.js';

/**
 * Parses a service's environment once, at startup, and fails with every problem listed.
 * Services never read `process.env` anywhere else.
 */
export function loadEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env) {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new Error(`Invalid environment:\n${z.prettifyError(result.error)}`);
  }
  return result.data as z.output<S>;
}

/** A TCP port; 0 asks the OS for a free one (tests do). */
export const portVar = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

/** A boolean flag written as true/false/1/0. */
export const flagVar = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** Variables every service reads. */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  /** The users subgraph's public key (PEM), inline or as a file; every service verifies with it. */
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_PUBLIC_KEY_FILE: z.string().optional(),
  JWT_ISSUER: z.string().default('cartograph-users'),
  JWT_AUDIENCE: z.string().default('cartograph'),
  /** Connections each subgraph process keeps to its database. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prepended to every Redis key and stream: several deployments (or test runs) share a Redis. */
  REDIS_PREFIX: z.string().default('cartograph:'),
  /**
   * Shared by the router and the subgraphs (32+ characters): the router signs its subgraph
   * requests with it, and subgraphs refuse what is unsigned. Required in production.
   */
  INTERNAL_SECRET: z.string().min(32).optional(),
  INTERNAL_SECRET_FILE: z.string().optional(),
  /** Comma-separated origins allowed by CORS, or * for any. */
  CORS_ORIGINS: z.string().default('*'),
  /**
   * The largest request a service reads, an HTTP body or a WebSocket message alike. Subgraphs
   * allow twice as much: the router's requests carry its clients' variables, and more.
   */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * A listener of its own for `/metrics`, off the public port. Unset: `/metrics` is on the main
   * port outside production, and nowhere in production.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The interface the metrics listener binds; default HOST. */
  METRICS_HOST: z.string().optional(),
  ...operationLimitsEnv,
};

/** The internal secret (inline or from a file), which production may not run without. */
export function internalSecretOf(env: {
  NODE_ENV: string;
  INTERNAL_SECRET?: string;
  INTERNAL_SECRET_FILE?: string;
}) {
  const secret =
    env.INTERNAL_SECRET ??
    (env.INTERNAL_SECRET_FILE ? readFileSync(env.INTERNAL_SECRET_FILE, 'utf8').trim() : undefined);
  if (secret !== undefined && secret.length < 32) {
    throw new Error('INTERNAL_SECRET must be at least 32 characters');
  }
  if (env.NODE_ENV === 'production' && !secret) {
    throw new Error(
      'INTERNAL_SECRET (or INTERNAL_SECRET_FILE) is required in production: subgraphs accept only requests the router signed with it',
    );
  }
  return secret;
}

/** The variables every service reads, parsed. */
export type BaseEnv = z.output<z.ZodObject<typeof baseEnv>>;

/**
 * Whether `/metrics` is served on a service's main (public) port: only in development and
 * tests, and only when no metrics listener of its own is configured.
 */
export const metricsOnMainPort = (env: Pick<BaseEnv, 'NODE_ENV' | 'METRICS_PORT'>) =>
  env.NODE_ENV !== 'production' && env.METRICS_PORT === undefined;

/**
 * What every subgraph's server takes from the environment beside its own dependencies: mode,
 * operation limits, request size, the internal secret (checked here, at startup), CORS and
 * where metrics are served.
 */
export function serverSettingsFromEnv(env: BaseEnv) {
  return {
    production: env.NODE_ENV === 'production',
    limits: operationLimitsFromEnv(env),
    maxRequestBytes: env.MAX_REQUEST_BYTES,
    internalSecret: internalSecretOf(env),
    corsOrigins: env.CORS_ORIGINS,
    metricsOnMainPort: metricsOnMainPort(env),
  };
}
