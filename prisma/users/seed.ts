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
      password: env.SEED_ADMIN_PASSWORD ?? 'cartograph-admin',
    },
    {
      email: 'customer@cartograph.dev',
      name: 'Casey Customer',
      role: 'CUSTOMER' as const,
      password: env.SEED_CUSTOMER_PASSWORD ?? 'cartograph-customer',
    },
  ];
}

/** Creates the demo accounts, or resets them to their documented passwords. Idempotent. */
export async function seedUsers(db: Db, bcryptCost: number, env: NodeJS.ProcessEnv = process.env) {
  const accounts = demoAccounts(env);
  for (const { password, ...account } of accounts) {
    const passwordHash = await hashPassword(password, bcryptCost);
    await db.user.upsert({
      where: { email: account.email },
      create: { ...account, passwordHash },
      update: { name: account.name, role: account.role, passwordHash },
    });
  }
  return accounts;
}
