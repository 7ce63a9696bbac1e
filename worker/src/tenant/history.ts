// Views that reach into history: the object's own rows merged with D1's, where closed handoffs
// stay after they leave the object. The object's copy wins for every id it still holds.
import type { Handoff } from "../../../schema/shapes";
import { contactHistory, historyPage } from "../db/history";
import type { TenantCore } from "./core";
import {
  listHandoffs,
  listRows,
  toPage,
  viewOrder,
  type ListFilter,
  type ListPage,
} from "./queries";
import { toHandoff, type HandoffRow } from "./records";

/** D1 reads one page may make, each `limit + 1` rows, while the object holds the rows it read. */
const MAX_D1_READS = 5;

/** Handoffs with an id the object holds are the object's to answer for, whatever D1 says. */
function notHeld(core: TenantCore, rows: HandoffRow[]): HandoffRow[] {
  if (rows.length === 0) return rows;
  const held = new Set(
    core.sql
      .all<{ id: string }>(
        `SELECT id FROM handoffs WHERE id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(rows.map((r) => r.id)),
      )
      .map((r) => r.id),
  );
  return rows.filter((r) => !held.has(r.id));
}

function byKey(order: "asc" | "desc") {
  const sign = order === "asc" ? 1 : -1;
  return (a: HandoffRow, b: HandoffRow) =>
    sign * (a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * One page of the list. The queue is read from the object alone; a view with closed statuses
 * also reads D1, first, so the object's rows (read after the last await) are current. The page
 * is the first limit+1 rows of both merged: D1 is read on while the rows it gave are mostly ones
 * the object holds (its copy may no longer match the filter) and could still rank in the page.
 */
export async function listPage(
  core: TenantCore,
  d1: D1Database,
  filter: ListFilter,
): Promise<ListPage> {
  const tenant = core.tenant();
  const order = viewOrder(filter.statuses);
  if (order === "asc" || !tenant) return listHandoffs(core, filter);
  const want = filter.limit + 1;
  const compare = byKey(order);
  const fromD1: HandoffRow[] = [];
  let after = filter.after;
  for (let read = 0; read < MAX_D1_READS; read++) {
    const batch = await historyPage(d1, tenant.id, { ...filter, after }, order, want);
    fromD1.push(...batch);
    const last = batch[batch.length - 1];
    if (!last || batch.length < want || notHeld(core, fromD1).length >= want) break;
    const objectLast = listRows(core, filter, want)[want - 1];
    if (objectLast && compare(last, objectLast) > 0) break;
    after = { created_at: last.created_at, id: last.id };
  }
  const fromObject = listRows(core, filter, want);
  const merged = [...fromObject, ...notHeld(core, fromD1)].sort(compare);
  return toPage(merged.slice(0, want), filter.limit);
}

/** A contact's handoffs (of one bot, when given), newest first, from the object and D1. */
export async function contactHandoffs(
  core: TenantCore,
  d1: D1Database,
  contactId: string,
  botId: string | undefined,
  limit: number,
): Promise<Handoff[]> {
  const tenant = core.tenant();
  const fromD1 = tenant ? await contactHistory(d1, tenant.id, contactId, botId, limit) : [];
  const fromObject = core.sql.all<HandoffRow>(
    `SELECT * FROM handoffs WHERE contact_id = ? AND (? IS NULL OR bot_id = ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
    contactId,
    botId ?? null,
    botId ?? null,
    limit,
  );
  return [...fromObject, ...notHeld(core, fromD1)]
    .sort(byKey("desc"))
    .slice(0, limit)
    .map(toHandoff);
}
