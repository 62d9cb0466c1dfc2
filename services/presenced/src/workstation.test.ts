import { describe, expect, it } from 'vitest';
import { isAlive, workstationHostname } from './workstation.ts';

describe('workstationHostname', () => {
  it.each([
    [null, 'pc12.prolo', 'pc12'],
    [null, 'pc12', 'pc12'],
    [null, 'PC12.prolo', 'pc12'],
    ['seat3', 'whatever.example', 'seat3'],
  ])('config %j, system %j → %j', (configured, system, expected) => {
    expect(workstationHostname(configured, system)).toBe(expected);
  });

  it('names the field when the system hostname is no machine name', () => {
    expect(() => workstationHostname(null, 'pc12.room.prolo')).toThrow(
      /^hostname: the system hostname "pc12.room.prolo" gives "pc12.room", .*set hostname in presenced.yml/,
    );
  });
});

describe('isAlive', () => {
  it('is true for this process and pid ≤ 0 (as who), false for a pid that cannot exist', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(0)).toBe(true);
    expect(isAlive(2 ** 22 + 1)).toBe(false);
  });
});
