import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { containsNul, operationContainsNul } from './input-guard.js';

describe('containsNul', () => {
  it('finds NUL in any string of a JSON value, keys included', () => {
    expect(containsNul({ input: { items: [{ productId: 'a\u0000' }] } })).toBe(true);
    expect(containsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNul({ input: { items: [{ productId: 'a', quantity: 1 }] }, x: null })).toBe(
      false,
    );
  });

  it('survives nesting deeper than the call stack', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];

    expect(containsNul(deep)).toBe(true);
  });
});

describe('operationContainsNul', () => {
  it('finds NUL in a string literal of the document as well as in variables', () => {
    const literal = parse('{ product(id: "x\\u0000") { id } }');
    const clean = parse('query ($id: ID!) { product(id: $id) { id } }');

    expect(operationContainsNul(literal, {})).toBe(true);
    expect(operationContainsNul(clean, { id: 'x\u0000' })).toBe(true);
    expect(operationContainsNul(clean, { id: 'x' })).toBe(false);
  });
});
