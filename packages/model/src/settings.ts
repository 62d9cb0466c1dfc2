import { z } from 'zod';

/**
 * `allow_self_registration`: off unless a root turns it on, and then only until `enabled_until`
 * (evaluated when read, so it switches itself off without any timer).
 */
export interface SelfRegistrationSetting {
  key: 'allow_self_registration';
  value: boolean;
  enabled_until: string | null;
}

export const MAX_SELF_REGISTRATION_SECONDS = 7 * 24 * 3600;

export const selfRegistrationUpdateSchema = z
  .object({
    value: z.boolean(),
    enabled_until: z.iso
      .datetime({ offset: true, message: 'expected an ISO 8601 date-time' })
      .optional(),
    duration_seconds: z.number().int().min(1).max(MAX_SELF_REGISTRATION_SECONDS).optional(),
  })
  .strict();
export type SelfRegistrationUpdate = z.output<typeof selfRegistrationUpdateSchema>;

/**
 * `contest_mode`: the contest is on. Contestants lose the internet (the firewall drops group
 * `user` from its allowed groups); stays until a root turns it off.
 */
export interface ContestModeSetting {
  key: 'contest_mode';
  value: boolean;
}

export const contestModeUpdateSchema = z.object({ value: z.boolean() }).strict();
export type ContestModeUpdate = z.output<typeof contestModeUpdateSchema>;

export type Setting = SelfRegistrationSetting | ContestModeSetting;
export type SettingUpdate = SelfRegistrationUpdate | ContestModeUpdate;

export const SETTING_KEYS = ['allow_self_registration', 'contest_mode'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** What a PUT of each setting accepts. */
export const SETTING_UPDATE_SCHEMAS = {
  allow_self_registration: selfRegistrationUpdateSchema,
  contest_mode: contestModeUpdateSchema,
} as const satisfies Record<SettingKey, z.ZodType>;

/**
 * A record of mdb's `settings` stream, keyed by `key`: the setting as stored (for
 * `allow_self_registration`, `enabled_until` must still be compared with the clock).
 */
export type SettingRecord = SelfRegistrationSetting | ContestModeSetting;
