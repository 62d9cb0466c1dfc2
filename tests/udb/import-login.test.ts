/**
 * The contest morning on SQLite, as `pnpm bench:udb` runs it: 1,000 people imported from a
 * names-only CSV, the TSV password sheet printed from the import's answer, then every one of them
 * logs in with the password on the sheet. Takes 10–30 s (2,000 sha512-crypt hashes, one per
 * new password and one per login).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';
import { importThenLogin, type ScenarioResult } from './scenario.ts';

const PEOPLE = 1000;

describe(`udb: ${PEOPLE} people imported, then every one logs in with the sheet's password`, () => {
  let udb: UdbHarness;
  let run: ScenarioResult;
  beforeAll(async () => {
    // Every login comes from 127.0.0.1: the per-address limit of failed logins must not bite.
    udb = await startUdb('sqlite', {
      login_rate_limit: { per_address: { max: 100_000, window_seconds: 60 } },
    });
    run = await importThenLogin(udb.url, udb.keys.token('root'), {
      people: PEOPLE,
      concurrency: 8,
    });
  }, 180_000);
  afterAll(() => udb?.close());

  it('imports everyone, with a login derived from the names and a generated password each', () => {
    expect(run.import.summary).toEqual({ created: PEOPLE, updated: 0, skipped: 0, error: 0 });
    expect(run.sheet.entries).toBe(PEOPLE);
    expect(run.passwords.size).toBe(PEOPLE);
    for (const [login, password] of run.passwords) {
      expect(login).toMatch(/^[a-z]+[0-9]*$/);
      expect(password).toMatch(/^[A-Za-z2-9]{8}$/);
    }
    // Same initials and last name (Camille and Chloé Martin): numbered, as SADM did.
    const numbered = [...run.passwords.keys()].filter((login) => /[0-9]$/.test(login));
    expect(numbered.length).toBeGreaterThan(100);
  });

  it('lets every one of them log in with the password printed on the sheet', () => {
    expect(run.logins.failures).toEqual([]);
    expect(run.logins.succeeded).toBe(PEOPLE);
  });

  it('refuses a password from another line of the sheet (the logins above were checked)', async () => {
    const [first, second] = [...run.passwords];
    const reply = await udb.call('POST', '/api/v1/auth/login', {
      login: first![0],
      password: second![1],
    });
    expect(reply.status).toBe(401);
  });

  it('has filled the contestants uid pool [10000, 11000): the next one is an error row', async () => {
    const users = await udb.service.database.db
      .selectFrom('users')
      .select(['uid'])
      .where('grp', '=', 'user')
      .execute();
    expect(new Set(users.map((u) => Number(u.uid)))).toEqual(
      new Set(Array.from({ length: PEOPLE }, (_, i) => 10000 + i)),
    );
    const more = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'csv', data: 'firstname,lastname\nOne,More' },
      udb.keys.token('root'),
    );
    expect(more.body.results[0]).toMatchObject({ status: 'error' });
    expect(more.body.results[0].reason).toMatch(/uid pool of group "user" .* is full/);
  });
});
