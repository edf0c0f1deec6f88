import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSuccessor, sealSuccessor } from './sealed-successor.js';

const token = () => randomBytes(32).toString('base64url');

describe('sealed successors', () => {
  it('opens with the token it was sealed under, and with nothing else', () => {
    const [presented, successor, other] = [token(), token(), token()];

    const sealed = sealSuccessor(successor, presented);

    expect(openSuccessor(sealed, presented)).toBe(successor);
    expect(openSuccessor(sealed, other)).toBeNull();
    expect(Buffer.from(sealed).includes(successor)).toBe(false);
  });

  it('refuses a sealed value that was tampered with', () => {
    const presented = token();
    const sealed = sealSuccessor(token(), presented);

    sealed[sealed.length - 1]! ^= 1;

    expect(openSuccessor(sealed, presented)).toBeNull();
  });
});
