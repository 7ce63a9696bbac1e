// The channel endpoints the settings pages call (viewers read them, admins write).
import type { Channel, CreateChannelInput, UpdateChannelInput } from "#schema/channels";
import { request } from "./client";

const send = <T>(method: string, path: string, body?: unknown) =>
  request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

const channelPath = (id: string) => `/api/admin/channels/${encodeURIComponent(id)}`;

export const channelsApi = {
  list: () => request<{ channels: Channel[] }>("/api/admin/channels"),
  /** Telegram's answer also carries the generated `secret_token`, which the page never shows. */
  create: (input: CreateChannelInput) =>
    send<{ channel: Channel }>("POST", "/api/admin/channels", input),
  update: (id: string, patch: UpdateChannelInput) =>
    send<{ channel: Channel }>("PATCH", channelPath(id), patch),
  remove: (id: string) => send<{ channel: Channel }>("DELETE", channelPath(id)),
  /** Telegram: points the bot's webhook at the channel's webhook URL. */
  register: (id: string) => send<{ channel: Channel }>("POST", `${channelPath(id)}/register`),
};
