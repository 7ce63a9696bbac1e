// Tenant settings: one object per tenant, read by admins and viewers, written by admins.
// Each field is declared once with its bounds and its default; a field added later (routing,
// timeouts, reminders) joins `fields` and `SETTINGS_DEFAULTS` and needs no migration, since a
// stored object that lacks it reads as the default.
import { z } from "zod";

const fields = {
  /** Closed handoffs, their transcripts and audit older than this many days are deleted everywhere. */
  retention_days: z.int().min(1).max(3650),
  /** "claim": agents pick handoffs from the queue; "auto": the object hands them out by capacity. */
  routing: z.enum(["claim", "auto"]),
  /** An assignee silent this long gives the handoff back to the queue; 0 is off. */
  reply_timeout_minutes: z.int().min(0).max(1440),
  /** An agent with no open socket this long gives their active handoffs back; 0 is off. */
  offline_grace_seconds: z.int().min(0).max(3600),
  /** Unclaimed handoffs past their bot's reminder delay are also emailed to the agents concerned. */
  email_reminders: z.boolean(),
};

const settingsShape = z.object(fields);
export type TenantSettings = z.infer<typeof settingsShape>;

export const SETTINGS_DEFAULTS: TenantSettings = {
  retention_days: 365,
  routing: "claim",
  reply_timeout_minutes: 0,
  offline_grace_seconds: 120,
  email_reminders: true,
};

/** A stored settings object (D1 JSON, the tenant object's copy): unknown keys dropped, missing ones defaulted. */
export const tenantSettings = settingsShape
  .partial()
  .transform((stored): TenantSettings => ({ ...SETTINGS_DEFAULTS, ...stored }));

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
