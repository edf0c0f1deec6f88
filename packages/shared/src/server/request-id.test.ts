import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it("keeps a caller's id made of letters, digits, dots, dashes and underscores", () => {
    expect(requestIdFrom('edge-1.req_42')).toBe('edge-1.req_42');
  });

  it('makes a new id when there is none, or the one given is too long or has other characters', () => {
    const ids = [undefined, null, '', 'a'.repeat(65), 'two words', 'x\nforged: 1', ['a', 'b']].map(
      requestIdFrom,
    );

    expect(ids.every((id) => uuid.test(id))).toBe(true);
  });
});
