import { describe, expect, it } from 'vitest';
import { createSlots } from './slots.ts';

describe('createSlots', () => {
  it('grants up to max, then queues in arrival order', async () => {
    const slots = createSlots({ max: 2, maxQueue: 10 });
    const a = await slots.acquire(10_000);
    const b = await slots.acquire(10_000);
    const order: string[] = [];
    const track = (name: string) =>
      slots.acquire(10_000).then((r) => {
        order.push(name);
        return r;
      });
    const c = track('c');
    const d = track('d');
    expect(slots.state()).toEqual({ active: 2, queued: 2 });
    if (!a.ok || !b.ok) throw new Error('expected grants');
    a.release();
    a.release(); // idempotent: gives back one slot only
    const rc = await c;
    expect(order).toEqual(['c']);
    expect(slots.state()).toEqual({ active: 2, queued: 1 });
    b.release();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    if (rc.ok) rc.release();
    if (rd.ok) rd.release();
    expect(slots.state()).toEqual({ active: 0, queued: 0 });
  });

  it('refuses at once when the queue is full', async () => {
    const slots = createSlots({ max: 1, maxQueue: 1 });
    await slots.acquire(10_000);
    const waiting = slots.acquire(10_000);
    expect(await slots.acquire(10_000)).toMatchObject({ ok: false, reason: 'queue-full' });
    expect(slots.state()).toEqual({ active: 1, queued: 1 });
    void waiting;
  });

  it('times a waiter out and lets an aborted one leave the queue', async () => {
    const slots = createSlots({ max: 1, maxQueue: 5 });
    const held = await slots.acquire(10_000);
    expect(await slots.acquire(1)).toMatchObject({ ok: false, reason: 'queue-timeout' });
    const abort = new AbortController();
    const leaving = slots.acquire(10_000, abort.signal);
    expect(slots.state().queued).toBe(1);
    abort.abort();
    expect(await leaving).toMatchObject({ ok: false, reason: 'aborted' });
    expect(slots.state()).toEqual({ active: 1, queued: 0 });
    if (held.ok) held.release();
    expect(slots.state()).toEqual({ active: 0, queued: 0 });
  });

  it('has no cap with max Infinity', async () => {
    const slots = createSlots({ max: Number.POSITIVE_INFINITY, maxQueue: 0 });
    for (let i = 0; i < 1000; i++) expect((await slots.acquire(1)).ok).toBe(true);
    expect(slots.state()).toEqual({ active: 1000, queued: 0 });
  });
});
