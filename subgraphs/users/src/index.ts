import { createPublicKey } from 'node:crypto';
import {
  accessTokenAlgorithm,
  createAccessTokenVerifier,
  createLogger,
  createMetrics,
  listen,
  readPem,
  stopOnSignals,
} from '@cartograph/shared';
import { importPKCS8 } from 'jose';
import { createDb } from './data/db.js';
import { loadEnv } from './env.js';
import { createServer } from './server.js';

const env = loadEnv();
const logger = createLogger('users', env.LOG_LEVEL);
const privateKeyPem = readPem(env.JWT_PRIVATE_KEY, env.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY');
const publicKeyPem = createPublicKey(privateKeyPem)
  .export({ type: 'spki', format: 'pem' })
  .toString();
const tokenSettings = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
const db = createDb(env.USERS_DATABASE_URL, env.DATABASE_POOL_SIZE);

const { apollo, httpServer } = createServer({
  deps: {
    db,
    verifyAccessToken: await createAccessTokenVerifier(publicKeyPem, tokenSettings),
    sessions: {
      ...tokenSettings,
      signingKey: await importPKCS8(privateKeyPem, accessTokenAlgorithm),
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    },
    bcryptCost: env.BCRYPT_COST,
  },
  logger,
  metrics: createMetrics('users'),
  production: env.NODE_ENV === 'production',
  corsOrigins: env.CORS_ORIGINS,
});

await apollo.start();
const port = await listen(httpServer, env.USERS_PORT, env.HOST);
logger.info({ port }, 'listening');

stopOnSignals(logger, async () => {
  await apollo.stop();
  await db.$disconnect();
});
