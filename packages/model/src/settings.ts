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

export const SETTING_KEYS = ['allow_self_registration'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
