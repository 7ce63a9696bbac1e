// The people settings' plain logic: one-time passwords, who is online as a row reads it, and
// the member lists of agents and teams.
import type { AgentPresence, Role } from "#schema/shapes";
import { STATUS_LABELS } from "../state/presence";

/** Letters and digits without the look-alikes (0/O, 1/l/I): it is read off a screen and typed. */
export const PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** 16 of 57 symbols: about 93 bits, well above the API's 10-character minimum. */
export const PASSWORD_LENGTH = 16;

/** Fills the array with random bytes (the Web Crypto API's `getRandomValues` by default). */
export type RandomBytes = (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>;
const webCrypto: RandomBytes = (bytes) => crypto.getRandomValues(bytes);

/**
 * A password made in the browser for someone else to sign in with. Bytes at or above the last
 * whole multiple of the alphabet's size are skipped, so every symbol is equally likely.
 */
export function generatePassword(
  length: number = PASSWORD_LENGTH,
  random: RandomBytes = webCrypto,
): string {
  const size = PASSWORD_ALPHABET.length;
  const limit = 256 - (256 % size);
  let password = "";
  while (password.length < length) {
    for (const byte of random(new Uint8Array(length * 2))) {
      if (byte < limit && password.length < length) password += PASSWORD_ALPHABET[byte % size];
    }
  }
  return password;
}

/** Online or away while they have the inbox open (the presence frame lists them), else offline. */
export function presenceText(here: AgentPresence | undefined): string {
  if (!here) return "Offline";
  return `${STATUS_LABELS[here.status]} · ${here.active_count}/${here.capacity} active`;
}

/** The ids with `id` added or taken out, sorted and without repeats (as the API answers them). */
export function toggled(ids: readonly string[], id: string, on: boolean): string[] {
  const next = new Set(ids);
  if (on) next.add(id);
  else next.delete(id);
  return [...next].sort();
}

interface Named {
  id: string;
  name: string;
}

/** The names of the ids, alphabetically; an id nobody has (deleted meanwhile) is left out. */
export function namesOf(ids: readonly string[], all: readonly Named[]): string[] {
  const byId = new Map(all.map((n) => [n.id, n.name]));
  return ids
    .map((id) => byId.get(id))
    .filter((name) => name !== undefined)
    .sort((a, b) => a.localeCompare(b));
}

/** Who may be in a team: agents and admins (viewers never are), alphabetically. */
export function memberCandidates<T extends Named & { role: Role }>(agents: readonly T[]): T[] {
  return agents.filter((a) => a.role !== "viewer").sort((a, b) => a.name.localeCompare(b.name));
}
