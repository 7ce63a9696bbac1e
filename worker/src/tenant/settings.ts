// The tenant object's copy of its settings, for the work it does on its own (the retention
// sweep; routing and timers later). D1 holds the settings; an older copy never replaces a newer one.
import { z } from "zod";
import {
  SETTINGS_DEFAULTS,
  tenantSettings,
  type TenantSettings,
  type VersionedSettings,
} from "../../../schema/settings";
import type { Sql } from "./sql";

const storedCopy = z.object({ settings: tenantSettings, version: z.number() });

export class SettingsCopy {
  private cached: VersionedSettings | undefined;

  constructor(private readonly sql: Sql) {}

  /** Keeps `next` unless the copy held is newer; answers whether it was kept. */
  put(next: VersionedSettings): boolean {
    if (next.version < this.current().version) return false;
    this.sql.run(
      `INSERT INTO meta (key, value) VALUES ('settings', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      JSON.stringify(next),
    );
    this.cached = next;
    return true;
  }

  current(): VersionedSettings {
    if (this.cached === undefined) {
      const row = this.sql.first<{ value: string }>(
        `SELECT value FROM meta WHERE key = 'settings'`,
      );
      this.cached = row
        ? storedCopy.parse(JSON.parse(row.value))
        : { settings: { ...SETTINGS_DEFAULTS }, version: 0 };
    }
    return this.cached;
  }

  get settings(): TenantSettings {
    return this.current().settings;
  }
}
