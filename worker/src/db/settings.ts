// D1 queries for a tenant's settings: one JSON object per tenant, versioned so the tenant
// object's copy can tell newer from older.
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  SETTINGS_DEFAULTS,
  tenantSettings as settingsJson,
  type TenantSettingsPatch,
  type VersionedSettings,
} from "../../../schema/settings";
import { tenantSettings } from "../../../schema/tables";

const toVersioned = (row: { settings: string; version: number }): VersionedSettings => ({
  settings: settingsJson.parse(JSON.parse(row.settings)),
  version: row.version,
});

/** The tenant's settings; a tenant that never changed them has the defaults, at version 0. */
export async function readSettings(d1: D1Database, tenantId: string): Promise<VersionedSettings> {
  const [row] = await drizzle(d1)
    .select({ settings: tenantSettings.settings, version: tenantSettings.version })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId))
    .limit(1);
  return row ? toVersioned(row) : { settings: { ...SETTINGS_DEFAULTS }, version: 0 };
}

/**
 * Merges a change into the stored settings in one statement (json_patch), so two admins
 * changing different fields at once both keep their change, and bumps the version.
 */
export async function updateSettings(
  d1: D1Database,
  tenantId: string,
  patch: TenantSettingsPatch,
  now: number,
): Promise<VersionedSettings> {
  const [row] = await drizzle(d1)
    .insert(tenantSettings)
    .values({ tenantId, settings: JSON.stringify(patch), version: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: tenantSettings.tenantId,
      set: {
        settings: sql`json_patch(${tenantSettings.settings}, excluded.settings)`,
        version: sql`${tenantSettings.version} + 1`,
        updatedAt: now,
      },
    })
    .returning({ settings: tenantSettings.settings, version: tenantSettings.version });
  return toVersioned(row!);
}
