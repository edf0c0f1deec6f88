import { randomUUID } from 'node:crypto';
import type { Viewer } from '@cartograph/shared';
import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../generated/prisma/client.js';
import { assertRequestedTransition, canTransition, releasesStock } from './order-status.js';

const statuses: OrderStatus[] = [
  'PENDING',
  'CONFIRMED',
  'REJECTED',
  'PAID',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
];
const legal = new Set([
  'PENDING>CONFIRMED',
  'PENDING>REJECTED',
  'PENDING>CANCELLED',
  'CONFIRMED>PAID',
  'CONFIRMED>CANCELLED',
  'PAID>SHIPPED',
  'PAID>CANCELLED',
  'SHIPPED>DELIVERED',
]);
const pairs = statuses.flatMap((from) => statuses.map((to) => [from, to] as const));

const owner: Viewer = { id: randomUUID(), role: 'CUSTOMER', expiresAt: 0 };
const admin: Viewer = { id: randomUUID(), role: 'ADMIN', expiresAt: 0 };
const stranger: Viewer = { id: randomUUID(), role: 'CUSTOMER', expiresAt: 0 };

describe('canTransition', () => {
  it.each(pairs)('%s -> %s follows the status machine', (from, to) => {
    expect(canTransition(from, to)).toBe(legal.has(`${from}>${to}`));
  });
});

describe('releasesStock', () => {
  it.each(pairs)(
    '%s -> %s asks for stock back only when an order that may hold it is cancelled',
    (from, to) => {
      const mayHold = from === 'PENDING' || from === 'CONFIRMED' || from === 'PAID';
      expect(releasesStock(from, to)).toBe(to === 'CANCELLED' && mayHold);
    },
  );
});

describe('assertRequestedTransition', () => {
  const order = (status: OrderStatus) => ({ userId: owner.id, status });

  it.each(pairs)(
    'lets an admin move %s -> %s only along the machine, never to a system status',
    (from, to) => {
      const allowed = legal.has(`${from}>${to}`) && to !== 'CONFIRMED' && to !== 'REJECTED';

      const attempt = () => assertRequestedTransition(admin, order(from), to);

      if (allowed) expect(attempt).not.toThrow();
      else
        expect(attempt).toThrow(
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'CONFLICT' }) }),
        );
    },
  );

  it.each(statuses)('lets the owner cancel from %s only before SHIPPED', (from) => {
    const attempt = () => assertRequestedTransition(owner, order(from), 'CANCELLED');

    if (['PENDING', 'CONFIRMED', 'PAID'].includes(from)) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(/cannot go/);
  });

  it('never lets the owner move an order forward, nor anyone else cancel it', () => {
    expect(() => assertRequestedTransition(owner, order('CONFIRMED'), 'PAID')).toThrow(/cannot go/);
    expect(() => assertRequestedTransition(stranger, order('PENDING'), 'CANCELLED')).toThrow(
      /cannot go/,
    );
  });
});
