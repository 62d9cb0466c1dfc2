import { describe, expect, it } from 'vitest';
import {
  createProcessPinger,
  eachLimited,
  type PingResult,
  tally,
  unreachableOf,
} from './pinger.ts';

describe('tally', () => {
  it('counts consecutive losses: a reply resets, an error changes nothing, gone hosts are forgotten', () => {
    const rounds: [string, PingResult][][] = [
      [
        ['a', 'down'],
        ['b', 'down'],
        ['c', 'up'],
        ['d', 'down'],
      ],
      [
        ['a', 'down'],
        ['b', 'up'],
        ['c', 'error'],
      ],
      [
        ['a', 'error'],
        ['b', 'down'],
        ['c', 'down'],
      ],
    ];
    let failures = new Map<string, number>();
    const seen = rounds.map((r) => {
      failures = tally(failures, new Map(r));
      return [...unreachableOf(failures, 2)];
    });
    expect(seen).toEqual([[], ['a'], ['a']]);
    expect(Object.fromEntries(failures)).toEqual({ a: 2, b: 1, c: 1 });
    expect([...unreachableOf(failures, 1)]).toEqual(['a', 'b', 'c']);
  });
});

describe('eachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachLimited(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 1));
        done.push(i);
        running--;
      },
    );
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    await eachLimited([], 3, async () => {});
  });
});

describe('createProcessPinger', () => {
  it('refuses anything but an IPv4 address without running ping (no option injection)', async () => {
    const pinger = createProcessPinger('/nonexistent/ping');
    const signal = new AbortController().signal;
    for (const ip of ['-f', '127.0.0.1 -f', 'example.org', '', '::1']) {
      expect(await pinger.ping(ip, 1, signal)).toBe('error');
    }
  });

  it('reports error when the binary is missing, not down', async () => {
    const pinger = createProcessPinger('/nonexistent/ping');
    expect(await pinger.ping('127.0.0.1', 1, new AbortController().signal)).toBe('error');
  });
});
