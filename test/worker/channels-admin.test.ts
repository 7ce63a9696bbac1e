// Connecting channels (admins; viewers read): the webhook URL to register, credentials sealed
// at rest and never shown again, Telegram's secret token shown once, bad input refused with
// nothing stored, another tenant's channels unreachable, Telegram's setWebhook done for the admin.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, login } from "./client";
import { makeTenant } from "./fixtures";
import {
  BOT_TOKEN,
  connectTelegram,
  connectWhatsApp,
  providerAnswers,
  providerRequests,
  VERIFY_TOKEN,
} from "./channel-helpers";
import type { Channel } from "../../schema/channels";

const CHANNELS = "/api/admin/channels";

describe("channels: the admin API", () => {
  it("connects Telegram and WhatsApp: webhook URLs, secrets never echoed, sealed in D1", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const telegram = await connectTelegram(admin, { bot_id: t.botId });
    expect(telegram.secret_token).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(telegram.channel).toMatchObject({
      type: "telegram",
      name: "Telegram",
      bot_id: t.botId,
      handoff_keywords: ["human", "agent", "person"],
      webhook_url: `https://inbox.test/api/channels/telegram/${telegram.channel.id}`,
    });
    const whatsapp = await connectWhatsApp(admin, { handoff_keywords: ["Humano", "human"] });
    expect(whatsapp).not.toHaveProperty("secret_token");
    expect(whatsapp.channel).toMatchObject({
      type: "whatsapp",
      bot_id: null,
      phone_number_id: "1098765",
      verify_token: VERIFY_TOKEN,
      handoff_keywords: ["humano", "human"],
    });

    const listed = await json<{ channels: Channel[] }>(CHANNELS, { cookie: admin, status: 200 });
    expect(listed.channels.map((c) => c.id)).toEqual([telegram.channel.id, whatsapp.channel.id]);
    const everything = JSON.stringify(listed);
    for (const secret of [BOT_TOKEN, "EAAG-test-access-token", "whatsapp-app-secret-for-tests"])
      expect(everything).not.toContain(secret);
    expect(everything).not.toContain(telegram.secret_token!);

    // At rest: sealed, not readable in D1.
    const rows = await env.DB.prepare(`SELECT config, secrets FROM channels WHERE tenant_id = ?`)
      .bind(t.id)
      .all<{ config: string; secrets: string }>();
    for (const row of rows.results) {
      expect(row.secrets).toMatch(/^v1\./);
      expect(row.secrets + row.config).not.toContain(BOT_TOKEN);
      expect(row.secrets + row.config).not.toContain("whatsapp-app-secret-for-tests");
    }

    // Viewers read; agents get nothing.
    const [viewer, alice] = await Promise.all([login(t.viewer), login(t.alice)]);
    await json(CHANNELS, { cookie: viewer, status: 200 });
    await expectError(call(CHANNELS, { cookie: alice }), 403, "forbidden");
    await expectError(
      call(CHANNELS, { cookie: viewer, body: { type: "telegram", name: "x", bot_token: "y" } }),
      403,
      "forbidden",
    );
  });

  it("refuses bad input with nothing stored", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    for (const body of [
      { type: "telegram", name: "No token" },
      { type: "sms", name: "Unknown" },
      {
        type: "whatsapp",
        name: "W",
        phone_number_id: "abc",
        access_token: "a",
        app_secret: "b",
        verify_token: "long enough",
      },
      { type: "telegram", name: "T", bot_token: "x", bot_id: "bot_of_nobody" },
      { type: "web", name: "Site", allowed_origins: ["https://shop.example/path"] },
      { type: "telegram", name: "T", bot_token: "x", extra: true },
    ])
      await expectError(call(CHANNELS, { cookie: admin, body }), 400, "invalid_request");
    const listed = await json<{ channels: Channel[] }>(CHANNELS, { cookie: admin, status: 200 });
    expect(listed.channels).toEqual([]);
  });

  it("changes, rotates and deletes; another tenant's channel reads as not found", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { channel } = await connectTelegram(admin);
    const renamed = await json<{ channel: Channel }>(`${CHANNELS}/${channel.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Support bot", handoff_keywords: ["operator"], bot_token: "999:rotated" },
      status: 200,
    });
    expect(renamed.channel).toMatchObject({ name: "Support bot", handoff_keywords: ["operator"] });
    expect(JSON.stringify(renamed)).not.toContain("999:rotated");
    await expectError(
      call(`${CHANNELS}/${channel.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { app_secret: "telegram has none" },
      }),
      400,
      "invalid_request",
    );

    const other = await makeTenant();
    const stranger = await login(other.admin);
    await expectError(call(`${CHANNELS}/${channel.id}`, { cookie: stranger }), 404, "not_found");
    await expectError(
      call(`${CHANNELS}/${channel.id}`, { method: "DELETE", cookie: stranger }),
      404,
      "not_found",
    );

    await json(`${CHANNELS}/${channel.id}`, { method: "DELETE", cookie: admin, status: 200 });
    await expectError(call(`${CHANNELS}/${channel.id}`, { cookie: admin }), 404, "not_found");
  });

  it("registers Telegram's webhook with the URL and the secret token", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const telegram = await connectTelegram(admin);
    const path = `/bot${BOT_TOKEN}/setWebhook`;
    await json(`${CHANNELS}/${telegram.channel.id}/register`, {
      method: "POST",
      cookie: admin,
      status: 200,
    });
    const [request] = (await providerRequests(path, 1)).slice(-1);
    expect(JSON.parse(request!.body)).toMatchObject({
      url: telegram.channel.webhook_url,
      secret_token: telegram.secret_token,
    });
    await providerAnswers(path, {
      status: 401,
      body: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    const refused = await expectError(
      call(`${CHANNELS}/${telegram.channel.id}/register`, { method: "POST", cookie: admin }),
      502,
      "provider_error",
    );
    expect(refused.message).toContain("Unauthorized");
  });
});
