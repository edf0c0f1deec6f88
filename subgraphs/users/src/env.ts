import { baseEnv, loadEnv as parse, portVar } from '@cartograph/shared';
import { z } from 'zod';

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
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Failed logins for one email from one address before further attempts are refused. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  /** Failures count within this window, from the first one; older runs are forgotten. */
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How long a locked-out email+address is refused, password unchecked. */
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
});

export type Env = z.output<typeof schema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env => parse(schema, source);
