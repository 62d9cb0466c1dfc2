import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORGED,
  KIOSK,
  NOBODY,
  SEAT1,
  SEAT2,
  type Seen,
  type SsoLan,
  startSsoLan,
} from './setup.ts';

/**
 * nginx/sso/cache.conf (the opt-in per-address micro-cache) in a real nginx, in front of the
 * same backend and services as sso.test.ts (./setup.ts). alice is logged in on seat1 (SEAT1),
 * kiosk has an override, seat2 and NOBODY have no login.
 */
let lan: SsoLan;
const FRESH = '127.0.0.9'; // an address nginx has never asked about before the last test

beforeAll(async () => {
  lan = await startSsoLan({ cache: true });
}, 60_000);

afterAll(async () => {
  await lan?.close();
});

/** Asks from `from` until `check` holds (the cached entry must expire first). */
async function until(from: string, check: (s: Seen) => boolean, what: string): Promise<Seen> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const seen = await lan.through(from);
    if (check(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The keys of the entries in nginx's cache directory (`KEY: ...` in each file's header). */
function cachedKeys(): string[] {
  const keys = new Set<string>();
  for (const entry of readdirSync(lan.cacheDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'latin1');
    const key = /\nKEY: ([^\n]*)\n/.exec(text)?.[1];
    if (key !== undefined) keys.add(key);
  }
  return [...keys].sort();
}

const userOf = (s: Seen) => s.backend['x-sso-user'];

describe('nginx/sso/cache.conf: the sso answer cached per client address', () => {
  it('never gives one address the identity of another, in either order', async () => {
    // Each pair: two addresses nginx has not asked about yet, the first one cached first.
    const pairs = [
      [SEAT1, 'alice', NOBODY, undefined],
      [SEAT2, undefined, KIOSK, 'kiosk_user'],
    ] as const;
    for (const [a, userA, b, userB] of pairs) {
      const first = await lan.through(a);
      const second = await lan.through(b);
      expect(first.response['x-sso-cache']).toBe('MISS');
      expect(second.response['x-sso-cache']).toBe('MISS');
      expect([userOf(first), userOf(second)]).toEqual([userA, userB]);
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) => lan.through(i % 2 ? b : a)),
      );
      burst.forEach((seen, i) => {
        expect(seen.status).toBe(200);
        expect(userOf(seen)).toBe(i % 2 ? userB : userA);
      });
      // (Hits are not required here: a loaded CI machine may let an entry expire mid-burst; the
      // cache files checked below prove the answers were stored, one per address.)
    }
    // One entry per address, keyed by the address alone (127.0.0.1: nginx's readiness probe).
    expect(cachedKeys()).toEqual(['127.0.0.1', SEAT1, SEAT2, KIOSK, NOBODY].sort());
  });

  it('caches only the sso answer: the page itself reaches the backend every time', async () => {
    const a = await lan.through(SEAT1);
    const b = await lan.through(SEAT1);
    expect(Number(b.backend.n)).toBeGreaterThan(Number(a.backend.n));
    expect(b.response['cache-control']).toBeUndefined();
    expect(b.backend['x-sso-status']).toBe(`working: machine ${SEAT1} has login alice`);
  });

  it('still replaces forged X-SSO-* headers, whatever the cache holds', async () => {
    for (const [from, user] of [
      [NOBODY, undefined],
      [KIOSK, 'kiosk_user'],
      [SEAT1, 'alice'],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const seen = await lan.through(from, { ...FORGED, X_SSO_User: 'root' }, 'POST');
        expect(userOf(seen)).toBe(user);
        expect(seen.backend.x_sso_user).toBeUndefined();
        expect(seen.backend['x-sso-status']).toMatch(/^(working|unknown): machine /);
        expect(seen.response['x-sso-user']).toBe(user);
      }
    }
    for (const key of cachedKeys()) expect(key).toMatch(/^127\.0\.0\.\d+$/);
  });

  it('shows a logout, then a login, once the address’s entry expires', async () => {
    expect(userOf(await lan.through(SEAT1))).toBe('alice');
    const out = await lan.presenceCall('logout', { login: 'alice', hostname: 'seat1' });
    expect(out.status).toBe(200);
    await waitFor(() => lan.sso()?.lookup(SEAT1) === undefined, 'logout in the sso index');
    await until(SEAT1, (s) => userOf(s) === undefined, 'seat1 anonymous');
    expect(userOf(await lan.through(SEAT1))).toBeUndefined();

    expect(userOf(await lan.through(SEAT2))).toBeUndefined();
    const login = await lan.presenceCall('login', { login: 'bob', hostname: 'seat2' });
    expect(login.status).toBe(200);
    await until(SEAT2, (s) => userOf(s) === 'bob', 'bob on seat2');
    expect(userOf(await lan.through(SEAT1))).toBeUndefined();
  });

  it('does not cache an unavailable sso: the first request after its restart asks it', async () => {
    await lan.stopSso();
    const down = await lan.through(FRESH, FORGED);
    expect(down.status).toBe(200);
    expect(userOf(down)).toBeUndefined();
    expect(down.backend['x-sso-status']).toBeUndefined();
    expect(down.response['x-sso-backend-status']).toMatch(/^unavailable \(error 50\d\)$/);
    await lan.startSso();
    const back = await lan.through(FRESH);
    expect(back.response['x-sso-backend-status']).toBe('working');
    expect(back.backend['x-sso-status']).toBe(`unknown: machine ${FRESH} has no login`);
    expect(cachedKeys()).toContain(FRESH);
    await until(KIOSK, (s) => userOf(s) === 'kiosk_user', 'the kiosk after the restart');
    expect(lan.nginx.errorLog()).not.toMatch(/\[(emerg|alert|crit)\]/);
  });
});
