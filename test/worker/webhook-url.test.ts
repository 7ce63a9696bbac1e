// A bot's webhook_url: https only, except plain http to this machine (local development). A
// refused URL is a 400 invalid_request naming webhook_url, and changes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectError, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { BotAnswer, BotList } from "./answers";

const refused = [
  "http://bot.example.com/hooks",
  "http://localhost.example.com/hooks",
  "http://127.0.0.2/hooks",
  "http://[::2]:8080/hooks",
  "http://10.0.0.5/hooks",
  "ftp://bot.example.com/hooks",
  "javascript:alert(1)",
  "https://",
  "bot.example.com/hooks",
];

const accepted = [
  "https://bot.example.com/hooks?x=1",
  "http://localhost:9999/hook",
  "http://LOCALHOST/hook",
  "http://127.0.0.1:8080/hook",
  "http://[::1]:3000/hook",
  null,
];

let t: TestTenant;
let admin: string;
beforeAll(async () => {
  t = await makeTenant();
  admin = await login(t.admin);
});

const bots = async () =>
  (await json<BotList>("/api/admin/bots", { cookie: admin, status: 200 })).bots;

describe("webhook_url", () => {
  it.each(refused)("%s is refused when changing a bot, and the bot is unchanged", async (url) => {
    const before = await bots();
    const error = await expectError(
      call(`/api/admin/bots/${t.botId}`, {
        method: "PATCH",
        cookie: admin,
        body: { webhook_url: url, name: "Renamed" },
      }),
      400,
      "invalid_request",
    );
    const issue = error.issues!.find((i: { path: string }) => i.path === "webhook_url");
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    if (url.startsWith("http://")) expect(issue!.message).toContain("https://");
    expect(await bots()).toEqual(before);
  });

  it.each(refused)("%s is refused when creating a bot, and no bot is made", async (url) => {
    const before = await bots();
    const error = await expectError(
      call("/api/admin/bots", { cookie: admin, body: { name: "New bot", webhook_url: url } }),
      400,
      "invalid_request",
    );
    expect(error.issues!.map((i: { path: string }) => i.path)).toContain("webhook_url");
    expect(await bots()).toEqual(before);
  });

  it("https anywhere, and plain http to localhost, 127.0.0.1 or [::1], are accepted", async () => {
    for (const url of accepted) {
      const { bot } = await json<BotAnswer>(`/api/admin/bots/${t.botId}`, {
        method: "PATCH",
        cookie: admin,
        body: { webhook_url: url },
        status: 200,
      });
      expect(bot.webhook_url).toBe(url);
    }
    const made = await json<BotAnswer>("/api/admin/bots", {
      cookie: admin,
      body: { name: "Local bot", webhook_url: "http://127.0.0.1:9999/hook" },
      status: 201,
    });
    expect(made.bot.webhook_url).toBe("http://127.0.0.1:9999/hook");
  });
});
