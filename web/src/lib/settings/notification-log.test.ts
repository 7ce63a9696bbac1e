import { describe, expect, it } from "vitest";
import type { Notification } from "#schema/notifications";
import { notificationRow, notificationSummary, syncFailureRow } from "./notification-log";

const sent: Notification = {
  id: "nt_1",
  kind: "reminder_email",
  handoff_id: "ho_a/b",
  to: "alice@demo.test",
  subject: "Still waiting: Maria Lopez",
  status: "sent",
  error: null,
  at: "2026-12-02T10:00:00.000Z",
};
const failed: Notification = {
  ...sent,
  id: "nt_2",
  to: "bob@demo.test",
  status: "failed",
  error: "destination address is not verified",
};

describe("notifications log", () => {
  it("links each email to its handoff and says it was sent", () => {
    expect(notificationRow(sent)).toEqual({
      id: "nt_1",
      at: "2026-12-02T10:00:00.000Z",
      to: "alice@demo.test",
      subject: "Still waiting: Maria Lopez",
      href: "/handoffs/ho_a%2Fb",
      handoffId: "ho_a/b",
      status: "Sent",
      failed: false,
      reason: null,
    });
  });

  it("marks a failed one with its reason", () => {
    expect(notificationRow(failed)).toMatchObject({
      status: "Failed",
      failed: true,
      reason: "destination address is not verified",
    });
    expect(notificationRow({ ...failed, error: null }).reason).toBe("No reason given.");
  });

  it("counts the emails and the failed ones", () => {
    expect(notificationSummary([])).toBe("0 emails");
    expect(notificationSummary([sent])).toBe("1 email");
    expect(notificationSummary([sent, failed, failed])).toBe("3 emails, 2 failed");
  });

  it("describes a set-aside row, linking handoffs only", () => {
    const at = "2026-12-02T10:00:00.000Z";
    expect(
      syncFailureRow({ kind: "handoff", id: "ho_1", attempts: 1, last_error: "D1 busy", at }),
    ).toEqual({
      key: "handoff:ho_1",
      what: "Handoff ho_1",
      href: "/handoffs/ho_1",
      attempts: "1 attempt",
      error: "D1 busy",
      at,
    });
    expect(
      syncFailureRow({ kind: "audit", id: "ev_1", attempts: 6, last_error: "x", at }),
    ).toMatchObject({ what: "Audit event ev_1", href: null, attempts: "6 attempts" });
  });
});
