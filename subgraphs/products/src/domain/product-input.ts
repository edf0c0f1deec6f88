import { badInput } from '@cartograph/shared';

/** Catalog input rules: each check trims, bounds and names the field it refuses. */

export const maxPriceCents = 100_000_000;
export const maxStock = 1_000_000_000;

export function checkSku(raw: string) {
  const sku = raw.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(sku)) {
    throw badInput('sku', 'must be 1 to 64 letters, digits, "-" or "_"');
  }
  return sku;
}

export function checkText(field: string, raw: string, max: number) {
  const text = raw.trim();
  if (text.length < 1 || text.length > max) throw badInput(field, `must be 1 to ${max} characters`);
  return text;
}

/** A blank description is no description. */
export function checkDescription(raw: string | null | undefined) {
  const text = raw?.trim();
  if (!text) return null;
  if (text.length > 5000) throw badInput('description', 'must be at most 5000 characters');
  return text;
}

export function checkPrice(priceCents: number) {
  if (!Number.isInteger(priceCents) || priceCents < 1 || priceCents > maxPriceCents) {
    throw badInput('priceCents', `must be between 1 and ${maxPriceCents}`);
  }
  return priceCents;
}

export function checkStock(stock: number) {
  if (!Number.isInteger(stock) || stock < 0 || stock > maxStock) {
    throw badInput('stock', `must be between 0 and ${maxStock}`);
  }
  return stock;
}

export function checkSlug(raw: string) {
  const slug = raw.trim();
  if (slug.length > 64 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) {
    throw badInput('slug', 'must be lower-case words joined by "-", at most 64 characters');
  }
  return slug;
}

export function checkReason(reason: string | null | undefined) {
  if (reason == null) return null;
  if (reason.length > 500) throw badInput('reason', 'must be at most 500 characters');
  return reason.trim() || null;
}
