// The CSV export: one row per handoff escalated in the range, read from D1 a page at a time
// (keyset on created_at, id) and streamed, so a year of a busy tenant never sits in memory.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { ANALYTICS_CSV_COLUMNS, type AnalyticsQuery } from "../../../schema/analytics";
import { rangeDays } from "./analytics";

export const EXPORT_PAGE_SIZE = 1000;

const exportRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  channel: z.string(),
  contact_id: z.string(),
  contact_name: z.string().nullable(),
  status: z.string(),
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  created_at: z.number(),
  claimed_at: z.number().nullable(),
  first_response_at: z.number().nullable(),
  resolved_at: z.number().nullable(),
  outcome: z.string().nullable(),
});
type ExportRow = z.infer<typeof exportRow>;

interface Position {
  createdAt: number;
  id: string;
}

/** One page after `position`: the same first claim and first reply as the analytics figures. */
async function page(
  d1: D1Database,
  tenantId: string,
  range: { start: number; end: number },
  position: Position | null,
): Promise<ExportRow[]> {
  const after = position
    ? sql`AND (h.created_at > ${position.createdAt} OR (h.created_at = ${position.createdAt} AND h.id > ${position.id}))`
    : sql``;
  const rows = await drizzle(d1).all(sql`
    SELECT p.*,
      (SELECT MIN(m.at) FROM messages m
        WHERE m.handoff_id = p.id AND m.at >= p.claimed_at AND m.tenant_id = ${tenantId}
          AND m.sender = 'agent') AS first_response_at
    FROM (
      SELECT h.id, h.conversation_id, h.channel, h.contact_id, h.contact_name, h.status,
        h.team_name AS team, h.assignee_name AS assignee, h.created_at, h.resolved_at, h.outcome,
        (SELECT MIN(e.at) FROM handoff_events e
          WHERE e.handoff_id = h.id AND e.tenant_id = ${tenantId}
            AND e.type IN ('claimed', 'assigned')) AS claimed_at
      FROM handoffs h
      WHERE h.tenant_id = ${tenantId} AND h.created_at >= ${range.start}
        AND h.created_at < ${range.end} ${after}
      ORDER BY h.created_at, h.id
      LIMIT ${EXPORT_PAGE_SIZE}
    ) p
    ORDER BY p.created_at, p.id`);
  return z.array(exportRow).parse(rows);
}

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/**
 * One CSV field: quoted when it holds a quote, comma or line break; a text starting with = + - @
 * (or a tab or carriage return) gets a leading apostrophe so a spreadsheet never runs it as a
 * formula.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvLine(row: ExportRow): string {
  const cells: Record<(typeof ANALYTICS_CSV_COLUMNS)[number], string> = {
    ...row,
    contact_name: row.contact_name ?? "",
    team: row.team ?? "",
    assignee: row.assignee ?? "",
    outcome: row.outcome ?? "",
    created_at: iso(row.created_at),
    claimed_at: iso(row.claimed_at),
    first_response_at: iso(row.first_response_at),
    resolved_at: iso(row.resolved_at),
  };
  return ANALYTICS_CSV_COLUMNS.map((c) => csvField(cells[c])).join(",") + "\r\n";
}

/**
 * The export as a stream of CSV text: the header, then each page as D1 answers it. The first page
 * is read before answering, so a failing query is still an error answer rather than a cut file.
 */
export async function exportCsv(
  d1: D1Database,
  tenantId: string,
  query: AnalyticsQuery,
): Promise<ReadableStream<Uint8Array>> {
  const days = rangeDays(query);
  const range = { start: days[0]!.start, end: days[days.length - 1]!.end };
  const encoder = new TextEncoder();
  let rows: ExportRow[] | null = await page(d1, tenantId, range, null);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(ANALYTICS_CSV_COLUMNS.join(",") + "\r\n"));
    },
    async pull(controller) {
      if (rows === null) return;
      const last = rows[rows.length - 1];
      if (last) controller.enqueue(encoder.encode(rows.map(csvLine).join("")));
      if (!last || rows.length < EXPORT_PAGE_SIZE) {
        rows = null;
        controller.close();
        return;
      }
      rows = await page(d1, tenantId, range, { createdAt: last.created_at, id: last.id });
    },
  });
}
