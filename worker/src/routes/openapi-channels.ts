// The OpenAPI paths of channels: the admin API, the providers' webhooks and the bot's answers
// to a channel conversation (api.md "Channels").
import { conversationMessageInput } from "../../../schema/api";
import { createChannelInput, updateChannelInput } from "../../../schema/channels";
import { agent, body, bot, errors, idParam, ok } from "./openapi-helpers";

const conversationParam = [
  {
    name: "conversation_id",
    in: "path",
    required: true,
    schema: { type: "string" },
    description: "A channel conversation: <channel id>:<provider chat id>",
  },
];

export function channelPaths() {
  return {
    "/api/admin/channels": {
      get: {
        summary:
          "The tenant's channels (admins and viewers); never a token or secret, with each one's webhook_url, last inbound and last error",
        security: agent,
        responses: { 200: ok("{channels}"), ...errors("unauthorized", "forbidden") },
      },
      post: {
        summary:
          "Connect Telegram, WhatsApp or the website widget (admins); Telegram answers its secret_token this once",
        security: agent,
        requestBody: body(createChannelInput),
        responses: {
          201: ok("{channel} (and secret_token for Telegram)"),
          ...errors("invalid_request", "unauthorized", "forbidden"),
        },
      },
    },
    "/api/admin/channels/{id}": {
      get: {
        summary: "A channel",
        security: agent,
        parameters: idParam,
        responses: { 200: ok("{channel}"), ...errors("unauthorized", "not_found") },
      },
      patch: {
        summary: "Rename, change the bot or keywords, or replace (rotate) credentials (admins)",
        security: agent,
        parameters: idParam,
        requestBody: body(updateChannelInput),
        responses: { 200: ok("{channel}"), ...errors("invalid_request", "forbidden", "not_found") },
      },
      delete: {
        summary: "Disconnect a channel (admins)",
        security: agent,
        parameters: idParam,
        responses: { 200: ok("{channel}"), ...errors("forbidden", "not_found") },
      },
    },
    "/api/admin/channels/{id}/register": {
      post: {
        summary: "Telegram: call setWebhook with the channel's webhook_url and secret token",
        security: agent,
        parameters: idParam,
        responses: {
          200: ok("{channel}"),
          ...errors("invalid_request", "forbidden", "not_found", "provider_error"),
        },
      },
    },
    "/api/channels/telegram/{id}": {
      post: {
        summary:
          "Telegram's updates (X-Telegram-Bot-Api-Secret-Token must be the channel's secret token)",
        parameters: idParam,
        responses: {
          200: ok("Taken (also when unusable: recorded)"),
          ...errors("unauthorized", "not_found"),
        },
      },
    },
    "/api/channels/whatsapp/{id}": {
      get: {
        summary: "WhatsApp's verification handshake: hub.challenge when hub.verify_token matches",
        parameters: idParam,
        responses: {
          200: { description: "The challenge, as text" },
          ...errors("forbidden", "not_found"),
        },
      },
      post: {
        summary:
          "WhatsApp's deliveries (X-Hub-Signature-256: sha256=<HMAC of the body with the app secret>)",
        parameters: idParam,
        responses: {
          200: ok("Taken (also when unusable: recorded)"),
          ...errors("unauthorized", "not_found"),
        },
      },
    },
    "/api/v1/conversations/{conversation_id}/messages": {
      post: {
        summary: "The bot answers a channel conversation it owns; the Worker sends it out",
        security: bot,
        parameters: conversationParam,
        requestBody: body(conversationMessageInput),
        responses: {
          201: ok("{message}"),
          ...errors("invalid_request", "unauthorized", "not_found"),
        },
      },
    },
  };
}
