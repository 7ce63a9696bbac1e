// The read-only logs of the notifications page: reminder emails and rows D1 kept refusing.
import type { Notification } from "#schema/notifications";
import type { SyncFailure } from "#schema/sync-failures";
import { request } from "./client";

export const notificationsApi = {
  notifications: () => request<{ notifications: Notification[] }>("/api/admin/notifications"),
  syncFailures: () => request<{ failures: SyncFailure[] }>("/api/admin/sync-failures"),
};
