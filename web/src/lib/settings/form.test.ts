import { describe, expect, it } from "vitest";
import type { TenantSettings } from "#schema/settings";
import { ApiFailure } from "../api/client";
import { changedFields, describedBy, isDirty, issuesByField } from "./form";
import { SettingsForm } from "./form.svelte";

const saved: TenantSettings = {
  retention_days: 365,
  routing: "claim",
  reply_timeout_minutes: 0,
  offline_grace_seconds: 120,
  email_reminders: true,
};

const invalid = (issues: unknown) =>
  new ApiFailure(400, {
    code: "invalid_request",
    message: "Invalid request.",
    issues: issues as [],
  });

describe("dirty tracking", () => {
  it("an untouched draft has no changes", () => {
    expect(changedFields(saved, { ...saved })).toEqual({});
    expect(isDirty(saved, { ...saved })).toBe(false);
  });

  it("names exactly the fields that differ", () => {
    const draft = { ...saved, routing: "auto" as const, email_reminders: false };
    expect(changedFields(saved, draft)).toEqual({ routing: "auto", email_reminders: false });
    expect(isDirty(saved, draft)).toBe(true);
  });

  it("a value edited and put back is clean again", () => {
    const draft = { ...saved, retention_days: 90 };
    draft.retention_days = 365;
    expect(isDirty(saved, draft)).toBe(false);
  });
});

describe("issues mapping", () => {
  it("puts each message on the top-level field its path names", () => {
    const issues = issuesByField(
      invalid([
        { path: "retention_days", message: "Too big: expected number to be <=3650" },
        { path: "team_ids.2", message: "no such team" },
        { path: "retention_days", message: "a second message" },
      ]),
    );
    expect(issues).toEqual({
      retention_days: "Too big: expected number to be <=3650",
      team_ids: "no such team",
    });
  });

  it("keeps a whole-form issue and the message of an answer without issues", () => {
    expect(issuesByField(invalid([{ path: "", message: "nothing to change" }]))).toEqual({
      "": "nothing to change",
    });
    const forbidden = new ApiFailure(403, { code: "forbidden", message: "Admins only." });
    expect(issuesByField(forbidden)).toEqual({ "": "Admins only." });
    expect(issuesByField(new Error("boom"))).toEqual({ "": "Something went wrong. Try again." });
  });

  it("ignores malformed issues", () => {
    expect(issuesByField(invalid([{ path: 3 }, "x", null]))).toEqual({ "": "Invalid request." });
  });
});

describe("SettingsForm", () => {
  it("sends only the changed fields and is clean after the save", async () => {
    const sent: Partial<TenantSettings>[] = [];
    const form = new SettingsForm(saved, async (patch) => {
      sent.push(patch);
      return { ...saved, ...patch };
    });
    expect(form.dirty).toBe(false);
    expect(await form.save()).toBe(false);
    form.draft.routing = "auto";
    expect(form.dirty).toBe(true);
    expect(await form.save()).toBe(true);
    expect(sent).toEqual([{ routing: "auto" }]);
    expect(form.state).toBe("saved");
    expect(form.dirty).toBe(false);
    expect(form.saved.routing).toBe("auto");
    form.draft.retention_days = 30;
    form.edited();
    expect(form.state).toBe("idle");
  });

  it("keeps the draft and shows the API's messages by field when the save is refused", async () => {
    const form = new SettingsForm(saved, async () => {
      throw invalid([{ path: "retention_days", message: "Too small: expected number to be >=1" }]);
    });
    form.draft.retention_days = 0;
    expect(await form.save()).toBe(false);
    expect(form.state).toBe("failed");
    expect(form.issues).toEqual({ retention_days: "Too small: expected number to be >=1" });
    expect(form.dirty).toBe(true);
    expect(form.draft.retention_days).toBe(0);
  });
});

describe("describedBy", () => {
  it("points at the help line, and at the error while the field has one", () => {
    expect(describedBy("retention_days", undefined)).toBe("retention_days-help");
    expect(describedBy("retention_days", "Too small")).toBe(
      "retention_days-help retention_days-error",
    );
  });
});
