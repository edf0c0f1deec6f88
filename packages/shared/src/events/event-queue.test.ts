import { describe, expect, it } from 'vitest';
import { EventHub, EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('hands out pushed values in order, to a waiting reader too', async () => {
    const queue = new EventQueue<number>(10);
    const first = queue.next();

    queue.push(1);
    queue.push(2);

    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
  });

  it('fails a reader that falls more than `limit` behind, after what it could hold', async () => {
    const queue = new EventQueue<number>(2);

    for (let i = 0; i < 5; i++) queue.push(i);

    expect(await queue.next()).toEqual({ value: 0, done: false });
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow(/too slow/);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});

describe('EventHub', () => {
  it('delivers once per listener under any of its keys, and forgets listeners that return', async () => {
    const hub = new EventHub<string>();
    const byOrder = hub.listen(['order-1']);
    const byUser = hub.listen(['user-1', 'order-2']);
    const everything = hub.listen(['*']);

    hub.publish(['order-1', 'user-1'], 'change');
    await byUser.return();

    expect(await byOrder.next()).toEqual({ value: 'change', done: false });
    expect(await everything.next()).toEqual({ value: 'change', done: false });
    expect(hub.size).toBe(2);
    await byOrder.return();
    await everything.return();
    expect(hub.size).toBe(0);
  });
});

describe('EventHub.listening', () => {
  it('says whether a key, or everything, has a listener', async () => {
    const hub = new EventHub<string>();
    const one = hub.listen(['order-1']);

    const before = [hub.listening(['order-1', 'user-1']), hub.listening(['order-2'])];
    const everything = hub.listen(['*']);
    const withEverything = hub.listening(['order-2']);
    await Promise.all([one.return(), everything.return()]);

    expect(before).toEqual([true, false]);
    expect(withEverything).toBe(true);
    expect(hub.listening(['order-1'])).toBe(false);
  });
});
