import { badInput } from '@cartograph/shared';

export interface OrderLine {
  productId: string;
  quantity: number;
}

export const maxLines = 50;
export const maxQuantity = 1000;

/** Validates a placeOrder request: 1..50 lines, quantity 1..1000, each product once. */
export function validateOrderRequest(input: {
  items: readonly OrderLine[];
  idempotencyKey: string;
}) {
  const idempotencyKey = input.idempotencyKey.trim();
  if (idempotencyKey.length < 1 || idempotencyKey.length > 128) {
    throw badInput('idempotencyKey', 'must be 1 to 128 characters');
  }
  if (input.items.length < 1 || input.items.length > maxLines) {
    throw badInput('items', `must hold 1 to ${maxLines} lines`);
  }
  const seen = new Set<string>();
  const lines = input.items.map(({ productId, quantity }, index) => {
    const id = productId.trim();
    if (id.length < 1 || id.length > 64) {
      throw badInput(`items[${index}].productId`, 'must be a product id');
    }
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity) {
      throw badInput(`items[${index}].quantity`, `must be between 1 and ${maxQuantity}`);
    }
    if (seen.has(id)) throw badInput('items', `product ${id} appears more than once`);
    seen.add(id);
    return { productId: id, quantity };
  });
  return { idempotencyKey, lines };
}

/** Whether two requests ask for the same lines, whatever their order. */
export function sameLines(a: readonly OrderLine[], b: readonly OrderLine[]) {
  const key = (lines: readonly OrderLine[]) =>
    lines
      .map((line) => `${line.productId}:${line.quantity}`)
      .sort()
      .join(',');
  return a.length === b.length && key(a) === key(b);
}
