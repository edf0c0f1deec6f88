import type { Db } from '../../subgraphs/users/src/data/db.js';
import { hashPassword } from '../../subgraphs/users/src/domain/credentials.js';

/**
 * The demo accounts. Their passwords come from SEED_ADMIN_PASSWORD / SEED_CUSTOMER_PASSWORD,
 * with the documented development defaults; the start script refuses the defaults in production.
 */
export function demoAccounts(env: NodeJS.ProcessEnv = process.env) {
  return [
    {
      email: 'admin@cartograph.dev',
      name: 'Ada Admin',
      role: 'ADMIN' as const,
      password: env.SEED_ADMIN_PASSWORD || 'cartograph-admin',
    },
    {
      email: 'customer@cartograph.dev',
      name: 'Casey Customer',
      role: 'CUSTOMER' as const,
      password: env.SEED_CUSTOMER_PASSWORD || 'cartograph-customer',
    },
  ];
}

/**
 * Creates the demo accounts that do not exist yet, and says which it created. An account that
 * exists is never touched, its password least of all: `npm start` and `docker compose up` seed
 * every time, and an operator's new password must survive them. A seed racing another skips
 * the account the other created.
 */
export async function seedUsers(db: Db, bcryptCost: number, env: NodeJS.ProcessEnv = process.env) {
  const accounts = demoAccounts(env);
  const existing = await db.user.findMany({
    where: { email: { in: accounts.map((account) => account.email) } },
    select: { email: true },
  });
  const seeded = [];
  for (const { password, ...account } of accounts) {
    let created = false;
    if (!existing.some((user) => user.email === account.email)) {
      const passwordHash = await hashPassword(password, bcryptCost);
      const { count } = await db.user.createMany({
        data: [{ ...account, passwordHash }],
        skipDuplicates: true,
      });
      created = count === 1;
    }
    seeded.push({ ...account, password, created });
  }
  return seeded;
}

/**
 * What `npm start` and `npm run db:seed` run (scripts/setup.ts): the demo accounts, with the
 * bcrypt cost the subgraph runs with. Its accounts are what `npm start` prints.
 */
export async function seed(db: Db, env: NodeJS.ProcessEnv) {
  const accounts = await seedUsers(db, Number(env.BCRYPT_COST ?? 12), env);
  const states = accounts.map(
    ({ email, created }) => `${email} ${created ? 'created' : 'exists, left as it is'}`,
  );
  return { summary: `demo accounts: ${states.join('; ')}`, accounts };
}
