import { notFound, unprocessable } from '@lanctl/core';
import { type Database, writeTransaction } from '@lanctl/db';
import {
  MAX_SELF_REGISTRATION_SECONDS,
  SETTING_KEYS,
  type SelfRegistrationSetting,
  type SelfRegistrationUpdate,
} from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { MdbTables } from '../schema.ts';

interface StoredSelfRegistration {
  value: boolean;
  enabled_until: string | null;
}

const OFF: StoredSelfRegistration = { value: false, enabled_until: null };

/** Volatile settings. Only `allow_self_registration` exists today; unknown keys are a 404. */
export class SettingsStore {
  constructor(
    private readonly database: Database<MdbTables>,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<SelfRegistrationSetting[]> {
    return Promise.all(SETTING_KEYS.map((k) => this.get(k)));
  }

  /** The expiry is evaluated here, at read time: an expired switch reads as off. */
  async get(key: string): Promise<SelfRegistrationSetting> {
    requireKnown(key);
    const row = await this.database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    const stored: StoredSelfRegistration = row ? JSON.parse(row.value) : OFF;
    const active =
      stored.value &&
      stored.enabled_until !== null &&
      Date.parse(stored.enabled_until) > this.now().getTime();
    return {
      key: 'allow_self_registration',
      value: active,
      enabled_until: active ? stored.enabled_until : null,
    };
  }

  async set(key: string, update: SelfRegistrationUpdate): Promise<SelfRegistrationSetting> {
    requireKnown(key);
    const stored = this.resolve(update);
    await writeTransaction(this.database, async (tx) => {
      const stamp = this.now().toISOString();
      const value = JSON.stringify(stored);
      await tx
        .insertInto('settings')
        .values({ key, value, updated_at: stamp })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: stamp }))
        .execute();
      await appendChange(tx, {
        table: 'settings',
        entity_id: key,
        op: 'update',
        record: { key, ...stored },
      });
    });
    return this.get(key);
  }

  private resolve(update: SelfRegistrationUpdate): StoredSelfRegistration {
    if (!update.value) {
      if (update.enabled_until !== undefined || update.duration_seconds !== undefined) {
        throw unprocessable('enabled_until', 'only applies when turning self-registration on');
      }
      return OFF;
    }
    if ((update.enabled_until === undefined) === (update.duration_seconds === undefined)) {
      throw unprocessable(
        'enabled_until',
        'turning self-registration on needs exactly one of enabled_until or duration_seconds',
      );
    }
    const now = this.now().getTime();
    const until =
      update.enabled_until !== undefined
        ? Date.parse(update.enabled_until)
        : now + update.duration_seconds! * 1000;
    if (until <= now) throw unprocessable('enabled_until', 'must be in the future');
    if (until - now > MAX_SELF_REGISTRATION_SECONDS * 1000) {
      throw unprocessable(
        'enabled_until',
        `must be at most ${MAX_SELF_REGISTRATION_SECONDS / 3600} hours from now`,
      );
    }
    return { value: true, enabled_until: new Date(until).toISOString() };
  }
}

function requireKnown(key: string): void {
  if (!(SETTING_KEYS as readonly string[]).includes(key)) throw notFound(`setting "${key}"`);
}
