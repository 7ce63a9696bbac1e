import { describe, expect, it } from "vitest";
import type { AdminBot } from "../api/admin-bots";
import { BOT_TEXTS, maxWaitOptions, preview, toDraft, toPatch } from "./bot-texts";

const text = (field: string) => BOT_TEXTS.find((t) => t.field === field)!;
const names = { agent: "Ada Admin", org: "Demo Co" };

describe("the texts' preview", () => {
  it("fills both placeholders where an agent is known, as the contact would read it", () => {
    expect(
      preview(text("accept_message"), "Hello, this is {agent_name} from {org_name}.", names),
    ).toBe("Hello, this is Ada Admin from Demo Co.");
  });

  it("leaves {agent_name} empty where nobody has taken the conversation, and other braces alone", () => {
    expect(preview(text("expiry_message"), "{agent_name}|{org_name}|{other}", names)).toBe(
      "|Demo Co|{other}",
    );
  });

  it("is text: markup stays as typed", () => {
    expect(preview(text("accept_message"), "<b>{agent_name}</b>", names)).toBe("<b>Ada Admin</b>");
  });
});

describe("the max wait choices", () => {
  it("are the API's five when the stored value is one of them", () => {
    expect(maxWaitOptions(30)).toEqual([5, 15, 30, 60, 120]);
  });

  it("keep a stored value outside them as one more choice, in order", () => {
    expect(maxWaitOptions(45)).toEqual([5, 15, 30, 45, 60, 120]);
  });
});

describe("the form's values and the API's", () => {
  const bot: AdminBot = {
    id: "bot_1",
    name: "Demo bot",
    webhook_url: null,
    handoff_message: "a",
    accept_message: "b",
    resolve_message: "c",
    expiry_message: "d",
    max_wait_minutes: 30,
    reminder_delay_seconds: 180,
    version: 3,
  };

  it("a bot without a webhook URL edits it as an empty field", () => {
    expect(toDraft(bot)).toEqual({
      name: "Demo bot",
      webhook_url: "",
      handoff_message: "a",
      accept_message: "b",
      resolve_message: "c",
      expiry_message: "d",
      max_wait_minutes: 30,
      reminder_delay_seconds: 180,
    });
  });

  it("an emptied webhook URL is sent as null, a typed one trimmed; other fields as they are", () => {
    expect(toPatch({ webhook_url: "  " })).toEqual({ webhook_url: null });
    expect(toPatch({ webhook_url: " https://bot.example/hook ", max_wait_minutes: 60 })).toEqual({
      webhook_url: "https://bot.example/hook",
      max_wait_minutes: 60,
    });
    expect(toPatch({ accept_message: "Hi" })).toEqual({ accept_message: "Hi" });
  });
});
