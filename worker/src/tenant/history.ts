// Views that reach into history: the object's own rows merged with D1's, where closed handoffs
// stay after they leave the object. The object's copy wins for every id it still holds.
import type { Handoff } from "../../../schema/shapes";
import { contactHistory, historyPage } from "../db/history";
import type { TenantCore } from "./core";
import { listHandoffs, listRows, toPage, viewOrder, type ListFilter, type ListPage } from "./queries";
import { toHandoff, type HandoffRow } from "./records";

/** Handoffs with an id the object holds are the object's to answer for, whatever D1 says. */
function notHeld(core: TenantCore, rows: HandoffRow[]): HandoffRow[] {
  if (rows.length === 0) return rows;
  const held = new Set(
    core.sql
      .all<{ id: string }>(`SELECT id FROM handoffs WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(rows.map((r) => r.id)))
      .map((r) => r.id),
  );
  return rows.filter((r) => !held.has(r.id));
}

function byKey(order: "asc" | "desc") {
  const sign = order === "asc" ? 1 : -1;
  return (a: HandoffRow, b: HandoffRow) => sign * (a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * One page of the list. The queue is read from the object alone; a view with closed statuses
 * also reads D1 (first, so the object's rows read after it are the newest): each source's next
 * limit+1 rows past the cursor hold the merged page's, so the merge is exact.
 */
export async function listPage(core: TenantCore, d1: D1Database, filter: ListFilter): Promise<ListPage> {
  const tenant = core.tenant();
  const order = viewOrder(filter.statuses);
  if (order === "asc" || !tenant) return listHandoffs(core, filter);
  const fromD1 = await historyPage(d1, tenant.id, filter, order, filter.limit + 1);
  const fromObject = listRows(core, filter, filter.limit + 1);
  const merged = [...fromObject, ...notHeld(core, fromD1)].sort(byKey(order));
  return toPage(merged.slice(0, filter.limit + 1), filter.limit);
}

/** A contact's handoffs (of one bot, when given), newest first, from the object and D1. */
export async function contactHandoffs(core: TenantCore, d1: D1Database, contactId: string, botId: string | undefined, limit: number): Promise<Handoff[]> {
  const tenant = core.tenant();
  const fromD1 = tenant ? await contactHistory(d1, tenant.id, contactId, botId, limit) : [];
  const fromObject = core.sql.all<HandoffRow>(
    `SELECT * FROM handoffs WHERE contact_id = ? AND (? IS NULL OR bot_id = ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
    contactId,
    botId ?? null,
    botId ?? null,
    limit,
  );
  return [...fromObject, ...notHeld(core, fromD1)].sort(byKey("desc")).slice(0, limit).map(toHandoff);
}
