// Tenant settings: one object per tenant, read by admins and viewers, written by admins.
// Each field is declared once with its bounds and its default; a field added later (routing,
// timeouts, reminders) joins `fields` and `SETTINGS_DEFAULTS` and needs no migration, since a
// stored object that lacks it reads as the default.
import { z } from "zod";

const fields = {
  /** Closed handoffs, their transcripts and audit older than this many days are deleted everywhere. */
  retention_days: z.int().min(1).max(3650),
  /** A handoff still unclaimed after its bot's reminder delay is emailed to every agent and admin. */
  email_reminders: z.boolean(),
};

const settingsShape = z.object(fields);
export type TenantSettings = z.infer<typeof settingsShape>;

export const SETTINGS_DEFAULTS: TenantSettings = {
  retention_days: 365,
  email_reminders: true,
};

/** A stored settings object (D1 JSON, the tenant object's copy): unknown keys dropped, missing ones defaulted. */
export const tenantSettings = settingsShape.partial().transform((stored): TenantSettings => ({ ...SETTINGS_DEFAULTS, ...stored }));

/** `PATCH /api/admin/settings`: any subset of the fields, nothing unknown, at least one. */
export const tenantSettingsPatch = z
  .strictObject(fields)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, "nothing to change");
export type TenantSettingsPatch = z.infer<typeof tenantSettingsPatch>;

/** Settings as stored, with the version that orders copies: the newest wins. */
export interface VersionedSettings {
  settings: TenantSettings;
  version: number;
}
