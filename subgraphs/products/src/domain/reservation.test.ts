import { describe, expect, it } from 'vitest';
import { decideReservation, type LockedProduct } from './reservation.js';

const product = (id: string, stock: number, priceCents = 500, archived = false): LockedProduct => ({
  id,
  stock,
  priceCents,
  currency: 'USD',
  archived,
});
const catalog = (...products: LockedProduct[]) => new Map(products.map((p) => [p.id, p]));

describe('decideReservation', () => {
  it('reserves every line at its current price when all can be served', () => {
    const decision = decideReservation(
      [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 5 },
      ],
      catalog(product('a', 2, 1250), product('b', 9, 99)),
    );

    expect(decision).toEqual({
      ok: true,
      lines: [
        { productId: 'a', quantity: 2, unitPriceCents: 1250, currency: 'USD' },
        { productId: 'b', quantity: 5, unitPriceCents: 99, currency: 'USD' },
      ],
    });
  });

  it('refuses the whole order, naming each line that cannot be served', () => {
    const decision = decideReservation(
      [
        { productId: 'fine', quantity: 1 },
        { productId: 'short', quantity: 3 },
        { productId: 'gone', quantity: 1 },
        { productId: 'archived', quantity: 1 },
      ],
      catalog(product('fine', 10), product('short', 2), product('archived', 5, 100, true)),
    );

    expect(decision).toEqual({
      ok: false,
      reasons: [
        { productId: 'short', reason: 'not enough stock: 3 requested, 2 available' },
        { productId: 'gone', reason: 'unknown product' },
        { productId: 'archived', reason: 'no longer sold' },
      ],
    });
  });

  it('refuses an order whose total would not fit the contract', () => {
    const decision = decideReservation(
      [{ productId: 'dear', quantity: 1000 }],
      catalog(product('dear', 1000, 100_000_000)),
    );

    expect(decision).toMatchObject({ ok: false, reasons: [{ productId: 'dear' }] });
  });
});
