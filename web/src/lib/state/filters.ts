// Inbox filters, kept in the URL so a view can be bookmarked and the back button works.
import type { Handoff, HandoffStatus } from "#schema/shapes";

export type AssigneeFilter = "mine" | "unassigned" | "all";
export type StatusFilter = "open" | HandoffStatus | "all";

export interface Filters {
  assignee: AssigneeFilter;
  status: StatusFilter;
  q: string;
}

export const DEFAULT_FILTERS: Filters = { assignee: "all", status: "open", q: "" };

const ASSIGNEES: AssigneeFilter[] = ["mine", "unassigned", "all"];
const STATUSES: StatusFilter[] = ["open", "queued", "active", "resolved", "expired", "all"];

export const STATUS_LABELS: Record<StatusFilter, string> = {
  open: "Queued & Active",
  queued: "Queued",
  active: "Active",
  resolved: "Resolved",
  expired: "Expired",
  all: "All",
};

const oneOf = <T extends string>(options: readonly T[], value: string | null): value is T =>
  value !== null && (options as readonly string[]).includes(value);

export function readFilters(params: { get(name: string): string | null }): Filters {
  const assignee = params.get("assignee");
  const status = params.get("status");
  return {
    assignee: oneOf(ASSIGNEES, assignee) ? assignee : DEFAULT_FILTERS.assignee,
    status: oneOf(STATUSES, status) ? status : DEFAULT_FILTERS.status,
    q: params.get("q")?.slice(0, 200) ?? "",
  };
}

/** Only what differs from the defaults, so the plain inbox has a plain URL. */
export function filtersQuery(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.assignee !== DEFAULT_FILTERS.assignee) params.set("assignee", filters.assignee);
  if (filters.status !== DEFAULT_FILTERS.status) params.set("status", filters.status);
  if (filters.q.trim()) params.set("q", filters.q.trim());
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** The list endpoint's query for these filters. */
export function apiQuery(filters: Filters): string {
  const params = new URLSearchParams();
  params.set("status", filters.status === "open" ? "queued,active" : filters.status);
  params.set(
    "assignee",
    filters.assignee === "mine" ? "me" : filters.assignee === "unassigned" ? "unassigned" : "any",
  );
  if (filters.q.trim()) params.set("q", filters.q.trim());
  return params.toString();
}

/** Views of the waiting and active queue (oldest first), as opposed to history (newest first). */
export function isQueueView(filters: Filters): boolean {
  return filters.status === "open" || filters.status === "queued" || filters.status === "active";
}

/**
 * The same rules on the client, for handoffs that arrive or change in real time. The search is
 * checked against what the client has (reason, summary, name, last message) unless told not to.
 */
export function matches(
  h: Handoff,
  filters: Filters,
  myId: string,
  options: { search: boolean } = { search: true },
): boolean {
  if (filters.status === "open" && h.status !== "queued" && h.status !== "active") return false;
  if (filters.status !== "open" && filters.status !== "all" && h.status !== filters.status)
    return false;
  if (filters.assignee === "mine" && h.assignee?.id !== myId) return false;
  if (filters.assignee === "unassigned" && h.assignee !== null) return false;
  const q = filters.q.trim().toLowerCase();
  if (q && options.search) {
    const haystack = [h.reason, h.summary, h.contact.name, h.last_message?.text]
      .filter(Boolean)
      .join("\n")
      .toLowerCase();
    if (!haystack.includes(q)) return false;
  }
  return true;
}

/** Oldest waiting first. */
export function byAge(a: Handoff, b: Handoff): number {
  return a.created_at < b.created_at
    ? -1
    : a.created_at > b.created_at
      ? 1
      : a.id.localeCompare(b.id);
}
