import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUsers } from '../../../prisma/users/seed.js';
import { createDb, type Db } from '../src/data/db.js';
import { hashPassword, verifyPassword } from '../src/domain/credentials.js';

const bcryptCost = 4;

/** The demo accounts have fixed emails, so each test seeds a database of its own. */
async function emptyUsersDatabase() {
  const database = await createTestDatabase('users');
  const db = createDb(database.url);
  return {
    db,
    drop: async () => {
      await db.$disconnect();
      await database.drop();
    },
  };
}

const seedEnv = () => ({
  SEED_ADMIN_PASSWORD: `admin-${randomUUID()}`,
  SEED_CUSTOMER_PASSWORD: `customer-${randomUUID()}`,
});

const passwordOf = async (db: Db, email: string, password: string) => {
  const { passwordHash } = await db.user.findUniqueOrThrow({ where: { email } });
  return verifyPassword(password, passwordHash, bcryptCost);
};

describe('seedUsers', () => {
  let database: Awaited<ReturnType<typeof emptyUsersDatabase>>;
  beforeAll(async () => {
    database = await emptyUsersDatabase();
  });
  afterAll(() => database.drop());

  it('creates the missing demo accounts, then leaves them and a changed password alone', async () => {
    const { db } = database;
    const first = seedEnv();
    const operatorPassword = `operator-${randomUUID()}`;

    const created = await seedUsers(db, bcryptCost, first);
    await db.user.update({
      where: { email: 'admin@cartograph.dev' },
      data: { passwordHash: await hashPassword(operatorPassword, bcryptCost), name: 'Root' },
    });
    const second = seedEnv();
    const again = await seedUsers(db, bcryptCost, second);

    expect(created).toMatchObject([
      { email: 'admin@cartograph.dev', role: 'ADMIN', created: true },
      { email: 'customer@cartograph.dev', role: 'CUSTOMER', created: true },
    ]);
    expect(again).toMatchObject([{ created: false }, { created: false }]);
    expect(await passwordOf(db, 'admin@cartograph.dev', operatorPassword)).toBe(true);
    expect(await passwordOf(db, 'admin@cartograph.dev', second.SEED_ADMIN_PASSWORD)).toBe(false);
    expect(await passwordOf(db, 'customer@cartograph.dev', first.SEED_CUSTOMER_PASSWORD)).toBe(
      true,
    );
    expect(await passwordOf(db, 'customer@cartograph.dev', second.SEED_CUSTOMER_PASSWORD)).toBe(
      false,
    );
    expect(
      await db.user.findUniqueOrThrow({
        where: { email: 'admin@cartograph.dev' },
        select: { name: true, role: true },
      }),
    ).toEqual({ name: 'Root', role: 'ADMIN' });
  });
});

describe('seedUsers, run twice at once', () => {
  let database: Awaited<ReturnType<typeof emptyUsersDatabase>>;
  beforeAll(async () => {
    database = await emptyUsersDatabase();
  });
  afterAll(() => database.drop());

  it('creates each demo account once, and neither run fails', async () => {
    const { db } = database;

    const runs = await Promise.all([
      seedUsers(db, bcryptCost, seedEnv()),
      seedUsers(db, bcryptCost, seedEnv()),
    ]);

    expect(runs.flat().filter((account) => account.created)).toHaveLength(2);
    expect(await db.user.count()).toBe(2);
  });
});
