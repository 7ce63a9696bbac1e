// GET /api/analytics.csv: one row per handoff escalated in the range, quoted for spreadsheets and
// safe from formula injection, read from D1 in pages.
import { describe, expect, it } from "vitest";
import { call, login } from "./client";
import { makeTenant } from "./fixtures";
import { writeHandoff, writeMany } from "./analytics-history";

const HEADER =
  "id,conversation_id,channel,contact_id,contact_name,status,team,assignee,created_at," +
  "claimed_at,first_response_at,resolved_at,outcome\r\n";

describe("the analytics CSV export", () => {
  it("quotes, guards formulas, and gives the first claim even after a release", async () => {
    const t = await makeTenant();
    const { alice, bob } = t;
    // Escalated 06-30 20:00Z: 06-30 in UTC, 07-01 in Tokyo.
    const early = await writeHandoff(t, { created: "2026-06-30T20:00:00Z", contactId: "c-0" });
    const first = await writeHandoff(t, {
      created: "2026-07-01T09:00:00Z",
      conversationId: "-5 minus",
      contactId: "c-1",
      contactName: 'Lopez, "Maria"\nJr',
      steps: [
        { after: 60, do: { claim: alice } },
        { after: 120, do: { release: alice } },
        { after: 300, do: { claim: bob } },
        { after: 360, do: { reply: bob } },
        { after: 600, do: { resolve: bob } },
      ],
    });
    const second = await writeHandoff(t, {
      created: "2026-07-01T10:00:00Z",
      conversationId: '=HYPERLINK("http://x")',
      channel: "telegram",
      contactId: "c-2",
      contactName: "@SUM(A1)",
      team: "+Sales",
      steps: [{ after: 900, do: { expire: true } }],
    });
    await writeHandoff(t, { created: "2026-07-02T00:00:00Z" });
    const other = await makeTenant();
    await writeHandoff(other, { created: "2026-07-01T12:00:00Z" });

    const viewer = await login(t.viewer);
    const res = await call("/api/analytics.csv?from=2026-07-01&to=2026-07-01", { cookie: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="handoffs-2026-07-01-2026-07-01.csv"',
    );
    expect(await res.text()).toBe(
      HEADER +
        `${first},'-5 minus,whatsapp,c-1,"Lopez, ""Maria""\nJr",resolved,,Bob,` +
        "2026-07-01T09:00:00.000Z,2026-07-01T09:01:00.000Z,2026-07-01T09:06:00.000Z," +
        "2026-07-01T09:10:00.000Z,close\r\n" +
        `${second},"'=HYPERLINK(""http://x"")",telegram,c-2,'@SUM(A1),expired,'+Sales,,` +
        "2026-07-01T10:00:00.000Z,,,,\r\n",
    );

    const tokyo = await call("/api/analytics.csv?from=2026-07-01&to=2026-07-01&tz=Asia/Tokyo", {
      cookie: viewer,
    });
    const ids = (await tokyo.text())
      .split("\r\n")
      .slice(1, -1)
      .map((line) => line.split(",")[0]);
    // Tokyo's 07-01 is 06-30 15:00Z to 07-01 15:00Z. (Records end in CRLF; the contact name's
    // bare LF stays inside its quotes.)
    expect(ids).toEqual([early, first, second]);
  });

  it("answers just the header for a range with no handoffs", async () => {
    const t = await makeTenant();
    const res = await call("/api/analytics.csv?from=2026-01-01&to=2026-01-31", {
      cookie: await login(t.admin),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(HEADER);
  });

  it("walks pages of a thousand without repeating or skipping rows that share a time", async () => {
    const t = await makeTenant();
    const start = Date.parse("2026-08-01T00:00:00Z");
    // 2,503 handoffs, three at each second: pages end inside a group of equal times.
    await writeMany(t, 2_503, start, 1000);
    await writeHandoff(t, { created: "2026-08-02T00:00:00Z" });
    await writeHandoff(t, { created: "2026-07-31T23:59:59Z" });
    const res = await call("/api/analytics.csv?from=2026-08-01&to=2026-08-01", {
      cookie: await login(t.admin),
    });
    const lines = (await res.text()).split("\r\n");
    expect(lines[0]).toBe(HEADER.trimEnd());
    expect(lines.at(-1)).toBe("");
    const ids = lines.slice(1, -1).map((line) => line.split(",")[0]);
    expect(ids).toEqual(
      Array.from({ length: 2_503 }, (_, i) => `ho_bulk_${t.id}_${String(i).padStart(5, "0")}`),
    );
    expect(lines[2_503]).toContain(",2026-08-01T00:13:54.000Z,");
  });
});
