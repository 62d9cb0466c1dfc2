import { notFound, unprocessable } from '@lanctl/core';
import { type Database, writeTransaction } from '@lanctl/db';
import {
  MAX_SELF_REGISTRATION_SECONDS,
  SETTING_KEYS,
  type SelfRegistrationUpdate,
  type Setting,
  type SettingKey,
  type SettingRecord,
  type SettingUpdate,
} from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { MdbTables } from '../schema.ts';

/** What is stored (and streamed) for each setting: its record without the key. */
type Stored = Omit<SettingRecord, 'key'>;

const DEFAULTS: Record<SettingKey, Stored> = {
  allow_self_registration: { value: false, enabled_until: null } as Stored,
  contest_mode: { value: false },
};

/** Parses a `settings` row (or a missing one) into its stream record. */
export function settingRecord(key: SettingKey, value: string | undefined): SettingRecord {
  return { key, ...(value === undefined ? DEFAULTS[key] : JSON.parse(value)) } as SettingRecord;
}

/**
 * Volatile settings, unknown keys are a 404: `allow_self_registration` (on only until a date)
 * and `contest_mode` (until turned off).
 */
export class SettingsStore {
  constructor(
    private readonly database: Database<MdbTables>,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<Setting[]> {
    return Promise.all(SETTING_KEYS.map((k) => this.get(k)));
  }

  /** Self-registration's expiry is evaluated here, at read time: an expired switch reads as off. */
  async get(key: string): Promise<Setting> {
    const known = requireKnown(key);
    const row = await this.database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', known)
      .executeTakeFirst();
    const record = settingRecord(known, row?.value);
    if (record.key !== 'allow_self_registration') return record;
    const active =
      record.value &&
      record.enabled_until !== null &&
      Date.parse(record.enabled_until) > this.now().getTime();
    return { ...record, value: active, enabled_until: active ? record.enabled_until : null };
  }

  /** `update` has been validated with SETTING_UPDATE_SCHEMAS[key]. */
  async set(key: string, update: SettingUpdate): Promise<Setting> {
    const known = requireKnown(key);
    const stored: Stored =
      known === 'allow_self_registration'
        ? this.resolveSelfRegistration(update as SelfRegistrationUpdate)
        : { value: update.value };
    await writeTransaction(this.database, async (tx) => {
      const stamp = this.now().toISOString();
      const value = JSON.stringify(stored);
      await tx
        .insertInto('settings')
        .values({ key: known, value, updated_at: stamp })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: stamp }))
        .execute();
      await appendChange(tx, {
        table: 'settings',
        entity_id: known,
        op: 'update',
        record: { key: known, ...stored },
      });
    });
    return this.get(known);
  }

  private resolveSelfRegistration(update: SelfRegistrationUpdate): Stored {
    if (!update.value) {
      if (update.enabled_until !== undefined || update.duration_seconds !== undefined) {
        throw unprocessable('enabled_until', 'only applies when turning self-registration on');
      }
      return DEFAULTS.allow_self_registration;
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
    return { value: true, enabled_until: new Date(until).toISOString() } as Stored;
  }
}

function requireKnown(key: string): SettingKey {
  if (!(SETTING_KEYS as readonly string[]).includes(key)) throw notFound(`setting "${key}"`);
  return key as SettingKey;
}
