// How times and people read in the inbox.
import type { Contact, Handoff, QueuePlace } from "#schema/shapes";

/** Live waiting time: "just now", "15m", "2h 10m", "1d 4h". */
export function formatWaiting(seconds: number): string {
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

export function secondsSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
}

/** The contact's name, else phone, else a short id. */
export function contactLabel(contact: Contact): string {
  if (contact.name?.trim()) return contact.name.trim();
  if (contact.phone?.trim()) return contact.phone.trim();
  return contact.id.length > 10 ? `#${contact.id.slice(-8)}` : `#${contact.id}`;
}

export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** What the waiting clock counts from: queue time, else the handoff's creation. */
export function waitingSince(h: Handoff): string {
  return h.created_at;
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("");
}

/** A span of time in the timeline: "45 s", "10 min", "1 min 30 s", "2 h", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  const minutes = Math.round(s / 60);
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** A row's place in its queue: "#2 in queue · ~4 min", or "#2 in queue" with no estimate. */
export function queueLabel(place: QueuePlace): string {
  const where = `#${place.position} in queue`;
  const wait = place.estimated_wait_seconds;
  if (wait === null) return where;
  // An estimate is rough: whole minutes, at least one.
  return `${where} · ~${formatDuration(Math.max(1, Math.round(wait / 60)) * 60)}`;
}
