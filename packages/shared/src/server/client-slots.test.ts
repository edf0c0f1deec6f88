import { describe, expect, it } from 'vitest';
import { createClientSlots } from './client-slots.js';

describe('createClientSlots', () => {
  it('gives each client up to the cap, and a slot back once however often it is released', () => {
    const slots = createClientSlots(2);

    const first = slots.take('a');
    const second = slots.take('a');
    const third = slots.take('a');
    const other = slots.take('b');
    first!();
    first!();
    const again = slots.take('a');

    expect([first, second, other, again].every((slot) => typeof slot === 'function')).toBe(true);
    expect(third).toBeUndefined();
    expect(slots.count('a')).toBe(2);
    expect(slots.take('a')).toBeUndefined();
  });

  it('forgets a client that holds nothing, and caps nothing at 0', () => {
    const slots = createClientSlots(0);

    const held = Array.from({ length: 1000 }, () => slots.take('a'));
    held.forEach((release) => release!());

    expect(held.every((release) => release !== undefined)).toBe(true);
    expect(slots.count('a')).toBe(0);
  });
});
