// Reading untrusted input: size-capped JSON bodies and query strings, validated by zod.
import type { Context } from "hono";
import type { z } from "zod";
import { LIMITS } from "../../../schema/limits";
import { ApiError } from "./errors";

export function invalid(error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = issues[0];
  const message = first
    ? `Invalid request: ${first.path || "body"} ${first.message}.`
    : "Invalid request.";
  return new ApiError("invalid_request", message, { issues });
}

async function readCapped(c: Context): Promise<string> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > LIMITS.bodyBytes)
    throw new ApiError(
      "payload_too_large",
      `Request bodies are limited to ${LIMITS.bodyBytes} bytes.`,
    );
  const body = c.req.raw.body;
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > LIMITS.bodyBytes) {
      await reader.cancel();
      throw new ApiError(
        "payload_too_large",
        `Request bodies are limited to ${LIMITS.bodyBytes} bytes.`,
      );
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** The request body as JSON, not yet validated (for a route that picks its schema by the body's form). */
export async function readJson(c: Context): Promise<unknown> {
  const text = await readCapped(c);
  try {
    return text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON.");
  }
}

export function validated<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return validated(schema, await readJson(c));
}

/** The query string (and any path parameters passed in `path`) validated together. */
export function queryParams<S extends z.ZodType>(
  c: Context,
  schema: S,
  path: Record<string, string> = {},
): z.output<S> {
  const parsed = schema.safeParse({ ...c.req.query(), ...path });
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}
