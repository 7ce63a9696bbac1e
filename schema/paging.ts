// The list's paging cursor: the (created_at, id) of the last row a page returned, opaque to
// clients (base64url JSON). Keyset paging on it never repeats or skips a row as rows arrive.
import { z } from "zod";

export interface Cursor {
  created_at: number;
  id: string;
}

const cursorValue = z.tuple([z.int().nonnegative(), z.string().min(1).max(200)]);

export function encodeCursor(cursor: Cursor): string {
  const json = JSON.stringify([cursor.created_at, cursor.id]);
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decode(text: string): Cursor | null {
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const json: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
    const parsed = cursorValue.safeParse(json);
    return parsed.success ? { created_at: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/** A `cursor` query parameter: a value this API handed out as `next_cursor`. */
export const cursorParam = z
  .string()
  .max(400)
  .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor this API returned")
  .transform((text, ctx) => {
    const cursor = decode(text);
    if (!cursor) {
      ctx.addIssue({ code: "custom", message: "is not a cursor this API returned" });
      return z.NEVER;
    }
    return cursor;
  })
  .describe("The next_cursor of the previous page, to read the page after it");
