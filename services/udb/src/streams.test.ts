import { issueToken } from '@lanctl/auth';
import { ENGINES, openStream, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from './testing/harness.ts';

describe.each(ENGINES)('udb users stream on %s', (engine) => {
  let udb: UdbHarness;
  beforeAll(async () => {
    udb = await startUdb(engine);
  });
  afterAll(() => udb.close());

  it('streams users, with password hashes only to subscribers granted users:hashes', async () => {
    const url = `${udb.url}/api/v1/sync/users`;
    const plain = await openStream(url, udb.keys.token('reader'));
    const hashes = issueToken(udb.keys.privateKey, {
      subject: 'passwd-writer',
      role: 'reader',
      scopes: ['users:read', 'users:hashes'],
    });
    const privileged = await openStream(url, hashes);
    await waitFor(() => plain.events.length >= 1 && privileged.events.length >= 1, 'snapshots');
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'jdoe', firstname: 'J', lastname: 'Doe', password: 'pw-in-clear' },
      udb.keys.token('root'),
    );
    await waitFor(() => plain.events.length >= 2 && privileged.events.length >= 2, 'the new user');
    const [plainSnap, plainChange] = plain.events;
    const [, privChange] = privileged.events;
    expect(plainSnap!.type).toBe('snapshot');
    expect(JSON.stringify(plain.events)).not.toContain('$6$');
    expect(
      plainChange!.type === 'change' && (plainChange!.data.record as { login: string }).login,
    ).toBe('jdoe');
    expect(
      privChange!.type === 'change' &&
        (privChange!.data.record as { password_hash: string }).password_hash,
    ).toMatch(/^\$6\$/);
    expect(JSON.stringify([...plain.events, ...privileged.events])).not.toContain('pw-in-clear');
    const contestant = await openStream(url, udb.keys.userToken('jdoe', 'user'));
    expect(contestant.status).toBe(403);
    plain.stop();
    privileged.stop();
  });
});
