// The bot's free-form `metadata`: any JSON object, capped in size and nesting so that storing,
// reading and sending it back stays cheap (api.md "Limits": 16 KiB serialized, 8 levels deep).
import { z } from "zod";
import { LIMITS } from "./limits";
import type { JsonObject } from "./shapes";

/**
 * Whether a parsed JSON value nests objects or arrays more than `limit` levels deep (the value
 * itself is level 1). Walks with its own stack, so hostile nesting cannot overflow the call
 * stack, and stops as soon as it is over.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, level] = next;
    if (typeof item !== "object" || item === null) continue;
    if (level > limit) return true;
    for (const child of Object.values(item)) {
      if (typeof child === "object" && child !== null) pending.push([child, level + 1]);
    }
  }
  return false;
}

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;

// Values are checked one level down only (the body came from JSON.parse, so deeper ones are
// JSON too); depth and size are checked without recursion before anything else touches it.
const shallowJson = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export const metadataInput: z.ZodType<JsonObject> = z
  .record(z.string(), shallowJson)
  .superRefine((value, ctx) => {
    if (nestsDeeperThan(value, LIMITS.metadataDepth)) {
      ctx.addIssue({
        code: "custom",
        message: `must be at most ${LIMITS.metadataDepth} levels deep`,
      });
    } else if (utf8Bytes(JSON.stringify(value)) > LIMITS.metadataBytes) {
      ctx.addIssue({
        code: "custom",
        message: `must be at most ${LIMITS.metadataBytes} bytes as JSON`,
      });
    }
  })
  .describe(
    `Any JSON object for the bot's own use: at most ${LIMITS.metadataBytes / 1024} KiB as JSON and ${LIMITS.metadataDepth} levels deep.`,
  );

/**
 * Metadata read back from storage: it was validated on the way in, so only its outer shape is
 * checked here (never a recursive walk on every read).
 */
export function storedMetadata(text: string): JsonObject {
  const value: unknown = JSON.parse(text);
  return isJsonObject(value) ? value : {};
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
