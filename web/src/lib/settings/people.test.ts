import { describe, expect, it } from "vitest";
import type { AgentPresence } from "#schema/shapes";
import {
  generatePassword,
  memberCandidates,
  namesOf,
  PASSWORD_ALPHABET,
  PASSWORD_LENGTH,
  presenceText,
  toggled,
  type RandomBytes,
} from "./people";
import { UnsavedEdits } from "./unsaved";

/** A random source that hands out the given bytes in order, then zeros. */
function bytesFrom(values: number[]): RandomBytes {
  const queue = [...values];
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = queue.shift() ?? 0;
    return bytes;
  };
}

describe("generated passwords", () => {
  it("are long enough for the API and use only the unambiguous alphabet", () => {
    const password = generatePassword();
    expect(password).toHaveLength(PASSWORD_LENGTH);
    expect(PASSWORD_LENGTH).toBeGreaterThanOrEqual(10);
    for (const symbol of password) expect(PASSWORD_ALPHABET).toContain(symbol);
    expect(PASSWORD_ALPHABET).not.toMatch(/[0O1lI]/);
  });

  it("differ from one call to the next", () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(seen.size).toBe(50);
  });

  it("map each byte to one symbol and skip the bytes that would bias the first symbols", () => {
    const size = PASSWORD_ALPHABET.length;
    const limit = 256 - (256 % size);
    // 0 → first symbol, size+1 → second, limit-1 → last; bytes >= limit are dropped.
    const password = generatePassword(4, bytesFrom([0, limit, 255, size + 1, limit - 1, 2]));
    expect(password).toBe(
      PASSWORD_ALPHABET[0]! +
        PASSWORD_ALPHABET[1]! +
        PASSWORD_ALPHABET.at(-1)! +
        PASSWORD_ALPHABET[2]!,
    );
  });

  it("ask for more bytes when too many were skipped", () => {
    let calls = 0;
    const random: RandomBytes = (bytes) => {
      calls += 1;
      bytes.fill(calls === 1 ? 255 : 5);
      return bytes;
    };
    expect(generatePassword(3, random)).toBe(PASSWORD_ALPHABET[5]!.repeat(3));
    expect(calls).toBe(2);
  });
});

describe("who is online", () => {
  const here = (status: AgentPresence["status"]): AgentPresence => ({
    id: "u1",
    name: "Alice",
    status,
    active_count: 2,
    capacity: 3,
  });

  it("reads online or away with the load, and offline when the presence list lacks them", () => {
    expect(presenceText(here("online"))).toBe("Online · 2/3 active");
    expect(presenceText(here("away"))).toBe("Away · 2/3 active");
    expect(presenceText(undefined)).toBe("Offline");
  });
});

describe("member lists", () => {
  const people = [
    { id: "u3", name: "Carol", role: "viewer" as const },
    { id: "u2", name: "bob", role: "admin" as const },
    { id: "u1", name: "Alice", role: "agent" as const },
  ];

  it("adds and removes an id, sorted and without repeats", () => {
    expect(toggled(["u2"], "u1", true)).toEqual(["u1", "u2"]);
    expect(toggled(["u1", "u2"], "u1", true)).toEqual(["u1", "u2"]);
    expect(toggled(["u1", "u2"], "u1", false)).toEqual(["u2"]);
    expect(toggled([], "u9", false)).toEqual([]);
  });

  it("names ids alphabetically and leaves out ids nobody has", () => {
    expect(namesOf(["u3", "u1", "gone", "u2"], people)).toEqual(["Alice", "bob", "Carol"]);
    expect(namesOf([], people)).toEqual([]);
  });

  it("offers agents and admins as members, never viewers", () => {
    expect(memberCandidates(people).map((p) => p.id)).toEqual(["u1", "u2"]);
  });
});

describe("unsaved edits", () => {
  it("is dirty while any tracked source is, and forgets a source taken away", () => {
    const edits = new UnsavedEdits();
    let first = false;
    const second = true;
    expect(edits.any).toBe(false);
    edits.track(() => first);
    expect(edits.any).toBe(false);
    first = true;
    expect(edits.any).toBe(true);
    first = false;
    const untrack = edits.track(() => second);
    expect(edits.any).toBe(true);
    untrack();
    expect(edits.any).toBe(false);
  });
});
