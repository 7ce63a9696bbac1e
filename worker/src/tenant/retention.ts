// The retention sweep, run by the tenant object's alarm as the "retention" timer: deletes from
// D1 what is older than the tenant's retention_days (closed handoffs with their transcripts and
// audit, then contacts left without handoffs) and the tenant's expired sessions. It works in
// batches: while a run leaves work behind it comes back at once, otherwise once a day.
import { readSettings } from "../db/settings";
import { deleteClosedHandoffs, deleteExpiredSessions, deleteOrphanContacts } from "../db/retention";
import type { TenantCore } from "./core";

const DAY_MS = 86_400_000;
/** Handoff ids per delete (D1 binds at most 100 values to a statement). */
const HANDOFF_BATCH = 25;
const BATCHES_PER_RUN = 20;
const CONTACT_BATCH = 500;
const AGAIN_MS = 1_000;
const RETRY_MS = 5 * 60_000;

/** Anything closed before this time is past the tenant's retention. */
export function retentionCutoff(core: TenantCore, now: number): number {
  return now - core.settings.settings.retention_days * DAY_MS;
}

export async function sweepRetention(core: TenantCore, d1: D1Database, now: number): Promise<void> {
  const tenant = core.tenant();
  if (!tenant) return core.timers.set("retention", "", now + DAY_MS);
  try {
    // D1 holds the settings: reading them here also mends a copy that missed an admin's change.
    core.settings.put(await readSettings(d1, tenant.id));
    const cutoff = retentionCutoff(core, now);
    let more = false;
    for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
      more = (await deleteClosedHandoffs(d1, tenant.id, cutoff, HANDOFF_BATCH)) === HANDOFF_BATCH;
      if (!more) break;
    }
    if (!more)
      more = (await deleteOrphanContacts(d1, tenant.id, cutoff, CONTACT_BATCH)) === CONTACT_BATCH;
    await deleteExpiredSessions(d1, tenant.id, now);
    core.counters.prune(now);
    core.timers.set("retention", "", now + (more ? AGAIN_MS : DAY_MS));
  } catch (error) {
    console.warn(
      `Retention sweep failed for ${tenant.id} (retry in ${RETRY_MS} ms):`,
      String(error),
    );
    core.timers.set("retention", "", Date.now() + RETRY_MS);
  }
}
