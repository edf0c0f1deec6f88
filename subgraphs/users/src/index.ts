import { createPublicKey } from 'node:crypto';
import {
  accessTokenAlgorithm,
  checkEvictionPolicy,
  createAccessTokenVerifier,
  createLogger,
  createMetrics,
  createRedis,
  databaseQueryCounter,
  listen,
  listenForMetrics,
  readPem,
  serverSettingsFromEnv,
  startTracing,
  stopOnSignals,
} from '@cartograph/shared';
import { importPKCS8 } from 'jose';
import { createDb } from './data/db.js';
import { createLoginThrottle } from './domain/login-throttle.js';
import { createPasswordHashGate } from './domain/password-hash-gate.js';
import { createRegistrationLimit } from './domain/registration-limit.js';
import { loadEnv } from './env.js';
import { createServer } from './server.js';

const stopTracing = await startTracing('users');
const env = loadEnv();
const logger = createLogger('users', env.LOG_LEVEL);
const privateKeyPem = readPem(env.JWT_PRIVATE_KEY, env.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY');
const publicKeyPem = createPublicKey(privateKeyPem)
  .export({ type: 'spki', format: 'pem' })
  .toString();
const tokenSettings = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
const metrics = createMetrics('users');
const db = createDb(
  env.USERS_DATABASE_URL,
  env.DATABASE_POOL_SIZE,
  databaseQueryCounter(metrics.registry),
);
const redis = createRedis(env.REDIS_URL, logger, 'users-limits');
await checkEvictionPolicy(redis, logger);

const { apollo, httpServer } = createServer({
  deps: {
    db,
    verifyAccessToken: await createAccessTokenVerifier(publicKeyPem, tokenSettings),
    sessions: {
      ...tokenSettings,
      signingKey: await importPKCS8(privateKeyPem, accessTokenAlgorithm),
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      reuseGraceSeconds: env.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    },
    bcryptCost: env.BCRYPT_COST,
    loginThrottle: createLoginThrottle({
      redis,
      prefix: env.REDIS_PREFIX,
      logger,
      maxFailures: env.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: env.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: env.LOGIN_LOCKOUT_SECONDS,
    }),
    registrationLimit: createRegistrationLimit({
      redis,
      prefix: env.REDIS_PREFIX,
      maxPerAddress: env.REGISTRATIONS_PER_ADDRESS,
      windowSeconds: env.REGISTRATION_WINDOW_SECONDS,
    }),
    passwordHashGate: createPasswordHashGate({
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      perAddress: env.PASSWORD_HASH_PER_ADDRESS,
      queueLimit: env.PASSWORD_HASH_QUEUE_LIMIT,
    }),
  },
  logger,
  metrics,
  ...serverSettingsFromEnv(env),
});

await apollo.start();
const port = await listen(httpServer, env.USERS_PORT, env.HOST);
const metricsListener = await listenForMetrics(metrics, env, logger);
logger.info({ port }, 'listening');

stopOnSignals(logger, async () => {
  await apollo.stop();
  await metricsListener?.close();
  await db.$disconnect();
  await redis.quit();
  await stopTracing();
});
