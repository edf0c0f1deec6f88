/** The rules of a stock reservation: all lines or none, at the current price, never below 0. */

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface LockedProduct {
  id: string;
  stock: number;
  priceCents: number;
  currency: string;
  archived: boolean;
}

export interface ReservedLine extends RequestedLine {
  unitPriceCents: number;
  currency: string;
}

export type ReservationDecision =
  | { ok: true; lines: ReservedLine[] }
  | { ok: false; reasons: { productId: string; reason: string }[] };

/** The contract's totals are 32-bit Ints of cents. */
export const maxTotalCents = 2 ** 31 - 1;

export function decideReservation(
  lines: readonly RequestedLine[],
  products: ReadonlyMap<string, LockedProduct>,
): ReservationDecision {
  const reasons: { productId: string; reason: string }[] = [];
  const reserved: ReservedLine[] = [];
  for (const line of lines) {
    const product = products.get(line.productId);
    if (!product) reasons.push({ productId: line.productId, reason: 'unknown product' });
    else if (product.archived)
      reasons.push({ productId: line.productId, reason: 'no longer sold' });
    else if (product.stock < line.quantity) {
      reasons.push({
        productId: line.productId,
        reason: `not enough stock: ${line.quantity} requested, ${product.stock} available`,
      });
    } else {
      reserved.push({ ...line, unitPriceCents: product.priceCents, currency: product.currency });
    }
  }
  if (reasons.length > 0) return { ok: false, reasons };
  const total = reserved.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  if (total > maxTotalCents) {
    return {
      ok: false,
      reasons: reserved.map(({ productId }) => ({
        productId,
        reason: 'the order total exceeds the maximum',
      })),
    };
  }
  return { ok: true, lines: reserved };
}
